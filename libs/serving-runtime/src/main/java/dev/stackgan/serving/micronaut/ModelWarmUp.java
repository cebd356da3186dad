package dev.stackgan.serving.micronaut;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.serving.ModelLease;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.warmup.WarmUp;
import dev.stackgan.serving.warmup.WarmUpCalls;
import dev.stackgan.serving.warmup.WarmUpRequest;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.annotation.Requires;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the service up before it reports ready: once the first bundle is loaded and the gRPC server listens, it sends
 * its {@link WarmUpRequest} to itself over loopback gRPC, through everything a user's call passes, until latency
 * settles or {@code stackgan.serving.warm-up.time-limit} passes ({@link WarmUp}). Only then is it {@link #warm()}.
 * Later bundle swaps are not warmed again here: the path is compiled by then, and the repository runs each new
 * session once before it swaps.
 */
@Singleton
@Requires(beans = ServedGraph.class)
public class ModelWarmUp extends SelfWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(ModelWarmUp.class);

    private final ModelRepository repository;
    private final WarmUpRequest request;
    private volatile int grpcPort = -1;

    public ModelWarmUp(ServingConfiguration config, ModelRepository repository, WarmUpRequest request,
                       ModelServiceMetrics metrics) {
        super(config.getWarmUp(), repository.graph(), LOG, metrics::warmUpRequestAnswered);
        this.repository = repository;
        this.request = request;
    }

    @PostConstruct
    void watchTheRepository() {
        repository.addListener(state -> startWhenDue());
    }

    @EventListener
    void serverStarted(ServerStartupEvent event) {
        if (event.getSource() instanceof GrpcEmbeddedServer grpc) {
            grpcPort = grpc.getPort();
            startWhenDue();
        }
    }

    private void startWhenDue() {
        if (grpcPort >= 0 && repository.state().ready()) {
            start(grpcPort);
        }
    }

    @Override
    protected WarmUp.Result warmUp() {
        ModelConfig model;
        try (ModelLease lease = repository.lease(null)) {
            model = lease.model().config();
        }
        ClientInterceptor mark = MetadataUtils.newAttachHeadersInterceptor(WarmUpCalls.headers());
        return WarmUp.run(settings,
                deadline -> request.send(ClientInterceptors.intercept(loopback(), mark, WarmUp.until(deadline)), model),
                this::answered);
    }

    @PreDestroy
    void stop() {
        close();
    }
}
