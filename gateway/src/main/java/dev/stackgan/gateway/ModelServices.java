package dev.stackgan.gateway;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.annotation.Bean;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Channels to the three model services. Targets are resolved by name (dns:/// in compose) and calls are spread
 * round-robin over every address, so replicas share the load; the servers' max-connection-age makes the channel
 * re-resolve when replicas come and go. Every call carries the request id on (serving-runtime's RequestIdForwarding)
 * and, with tracing on, the trace context (GrpcTracing).
 */
@Singleton
@Bean(preDestroy = "close")
public class ModelServices implements AutoCloseable {

    /** A model service as named in error messages, with its channel. */
    public record Service(String name, String target, ManagedChannel channel) {
    }

    private final Service textEncoder;
    private final Service stage1;
    private final Service stage2;

    public ModelServices(GatewayConfiguration config, List<ClientInterceptor> interceptors) {
        this.textEncoder = service("text-encoder", config.getTextEncoderTarget(), config, interceptors);
        this.stage1 = service("stage1", config.getStage1Target(), config, interceptors);
        this.stage2 = service("stage2", config.getStage2Target(), config, interceptors);
    }

    private static Service service(String name, String target, GatewayConfiguration config,
                                   List<ClientInterceptor> interceptors) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target)
                .usePlaintext()
                .defaultLoadBalancingPolicy("round_robin")
                .maxInboundMessageSize(config.getMaxInboundMessageSize())
                .intercept(interceptors)
                .build();
        return new Service(name, target, channel);
    }

    public Service textEncoder() {
        return textEncoder;
    }

    public Service stage1() {
        return stage1;
    }

    public Service stage2() {
        return stage2;
    }

    public List<Service> all() {
        return List.of(textEncoder, stage1, stage2);
    }

    @Override
    public void close() throws InterruptedException {
        for (Service service : all()) {
            service.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
