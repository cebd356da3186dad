package dev.stackgan.serving.micronaut;

import dev.stackgan.serving.warmup.WarmUp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * What every service that warms itself up before it reports ready shares (the model services' {@link ModelWarmUp},
 * the gateway's): once, on a daemon thread, it opens a loopback channel to its own gRPC port and runs
 * {@link #warmUp}; until that ends the service is not {@link #warm()}, then its listeners hear it. A warm-up that
 * cannot start is logged as a warning and the service turns ready anyway: a cold service beats none.
 * {@code stackgan.serving.warm-up.*} configures it ({@link ServingConfiguration.WarmUp}).
 */
public abstract class SelfWarmUp {

    protected final WarmUp.Settings settings;
    private final String name;
    private final Logger log;
    private final Runnable answeredMeter;
    private final List<Runnable> warmListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean warm;
    private volatile boolean closing;
    private volatile ManagedChannel channel;

    /**
     * @param name          what warms up, in log lines and the thread's name
     * @param answeredMeter counts each answered warm-up request in the service's metrics
     */
    protected SelfWarmUp(ServingConfiguration.WarmUp config, String name, Logger log, Runnable answeredMeter) {
        // checked at start-up, so a bad setting stops the service instead of leaving it cold
        this.settings = new WarmUp.Settings(config.getTimeLimit(), config.getWindow(), config.getTolerance(),
                config.getCompileShare());
        this.name = name;
        this.log = log;
        this.answeredMeter = answeredMeter;
        this.warm = !config.isEnabled();
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

    /** Starts the warm-up against this service's gRPC port, once; nothing when it is off or has started. */
    protected final void start(int grpcPort) {
        if (warm || !started.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> run(grpcPort), "warm-up-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Sends representative requests over {@code loopback}, a plaintext channel to this service's own gRPC port,
     * with {@link WarmUp#run} and {@link #settings}, calling {@link #answered()} for each answer; returns how it ended.
     */
    protected abstract WarmUp.Result warmUp(ManagedChannel loopback) throws InterruptedException;

    /** One warm-up request was answered. */
    protected final void answered() {
        requests.incrementAndGet();
        answeredMeter.run();
    }

    protected final boolean closing() {
        return closing;
    }

    private void run(int grpcPort) {
        ManagedChannel loopback = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
        channel = loopback;
        try {
            WarmUp.Result result = warmUp(loopback);
            // a request cut off by the shutdown is no failure worth a warning
            if (result.outcome() != WarmUp.Outcome.FAILED || !closing) {
                WarmUp.log(log, name, settings, result);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("warm-up of {} could not start; serving cold: {}", name, e.toString());
        } finally {
            loopback.shutdownNow();
            warm = true;
            warmListeners.forEach(Runnable::run);
        }
    }

    /** Ends a running warm-up: its channel closes, so a request in flight fails at once. Call it before shutdown. */
    protected final void close() {
        closing = true;
        ManagedChannel open = channel;
        if (open != null) {
            open.shutdownNow();
        }
    }
}
