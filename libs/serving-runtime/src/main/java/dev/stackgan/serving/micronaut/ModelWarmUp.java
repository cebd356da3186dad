package dev.stackgan.serving.micronaut;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.serving.ModelLease;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.warmup.WarmUp;
import dev.stackgan.serving.warmup.WarmUpCalls;
import dev.stackgan.serving.warmup.WarmUpRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.annotation.Requires;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the service up before it reports ready: once the first bundle is loaded and the gRPC server listens, it sends
 * its {@link WarmUpRequest} to itself over loopback gRPC, through everything a user's call passes, until latency
 * settles or {@code stackgan.serving.warm-up.time-limit} passes ({@link WarmUp}). Only then is it {@link #warm()}.
 * A failed warm-up is logged as a warning and the service becomes ready anyway: a cold service beats none. Later
 * bundle swaps are not warmed again here: the path is compiled by then, and the repository runs each new session
 * once before it swaps.
 */
@Singleton
@Requires(beans = ServedGraph.class)
public class ModelWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(ModelWarmUp.class);

    private final ServingConfiguration.WarmUp config;
    private final ModelRepository repository;
    private final WarmUpRequest request;
    private final ModelServiceMetrics metrics;
    private final List<Runnable> warmListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int grpcPort = -1;
    private volatile boolean warm;
    private volatile boolean closing;
    private volatile ManagedChannel channel;

    public ModelWarmUp(ServingConfiguration config, ModelRepository repository, WarmUpRequest request,
                       ModelServiceMetrics metrics) {
        this.config = config.getWarmUp();
        this.repository = repository;
        this.request = request;
        this.metrics = metrics;
        this.warm = !this.config.isEnabled();
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

    /** Whether readiness may say SERVING: the warm-up is over (or off). */
    public boolean warm() {
        return warm;
    }

    /** Warm-up requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Runs {@code listener} when the warm-up ends (at once if it has). */
    public void whenWarm(Runnable listener) {
        warmListeners.add(listener);
        if (warm) {
            listener.run();
        }
    }

    private void startWhenDue() {
        if (warm || grpcPort < 0 || !repository.state().ready() || !started.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(this::warmUp, "warm-up-" + repository.graph());
        thread.setDaemon(true);
        thread.start();
    }

    private void warmUp() {
        channel = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
        try {
            ModelConfig model;
            try (ModelLease lease = repository.lease(null)) {
                model = lease.model().config();
            }
            Channel marked = ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(WarmUpCalls.headers()));
            WarmUp.Result result = WarmUp.run(new WarmUp.Settings(config.getTimeLimit(), config.getWindow(),
                            config.getTolerance()),
                    deadline -> request.send(ClientInterceptors.intercept(marked, until(deadline)), model),
                    () -> {
                        requests.incrementAndGet();
                        metrics.warmUpRequestAnswered();
                    });
            report(result);
        } catch (RuntimeException e) {
            LOG.warn("warm-up of {} could not start; serving cold: {}", repository.graph(), e.toString());
        } finally {
            channel.shutdownNow();
            warm = true;
            warmListeners.forEach(Runnable::run);
        }
    }

    private void report(WarmUp.Result result) {
        String summary = String.format("warm-up of %s: %d requests in %.1f s, p50 %.2f ms", repository.graph(),
                result.requests(), result.elapsedNanos() / 1e9, result.p50Nanos() / 1e6);
        switch (result.outcome()) {
            case SETTLED -> LOG.info("{}; latency settled (window {}, tolerance {})", summary, config.getWindow(),
                    config.getTolerance());
            case TIME_LIMIT -> LOG.info("{}; stopped at the time limit ({}) before latency settled", summary,
                    config.getTimeLimit());
            case FAILED -> {
                if (!closing) {
                    LOG.warn("{}; a request failed, serving without finishing it: {}", summary,
                            result.failure().toString());
                }
            }
        }
    }

    /** Every call gets the warm-up's end as its deadline. */
    private static ClientInterceptor until(Deadline deadline) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                return next.newCall(method, options.withDeadline(deadline));
            }
        };
    }

    @PreDestroy
    void stop() {
        closing = true;
        ManagedChannel open = channel;
        if (open != null) {
            open.shutdownNow();
        }
    }
}
