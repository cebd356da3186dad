package dev.stackgan.serving.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import jakarta.inject.Singleton;

/**
 * Runs a model service's gRPC calls on the transport thread that read them ({@link
 * ServingConfiguration#isTransportThreadCalls}). Only in the model services (they provide a {@link ServedGraph}):
 * the gateway's handlers wait for the model services and need executor threads.
 */
@Singleton
@Requires(beans = ServedGraph.class)
public class TransportThreadCalls implements BeanCreatedEventListener<GrpcServerConfiguration> {

    private final ServingConfiguration config;

    public TransportThreadCalls(ServingConfiguration config) {
        this.config = config;
    }

    @Override
    public GrpcServerConfiguration onCreated(BeanCreatedEvent<GrpcServerConfiguration> event) {
        GrpcServerConfiguration server = event.getBean();
        if (config.isTransportThreadCalls()) {
            server.getServerBuilder().directExecutor();
        }
        return server;
    }
}
