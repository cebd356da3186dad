package dev.stackgan.serving.micronaut;

import dev.stackgan.serving.warmup.WarmUp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * What every service that warms itself up before it reports ready shares (the model services' {@link ModelWarmUp},
 * the gateway's): once, on a daemon thread, it opens a loopback channel to its own gRPC port and runs
 * {@link #warmUp}; until that ends the service is not {@link #warm()}, then its listeners hear it. A warm-up that
 * cannot start is logged as a warning and the service turns ready anyway: a cold service beats none.
 * {@code stackgan.serving.warm-up.*} configures it ({@link ServingConfiguration.WarmUp}).
 * <p>
 * After every window of requests the warm-up closes its connections, idles {@link #IDLE_BETWEEN_WINDOWS} and opens
 * new ones, and it closes the last before it turns ready. A warm-up that kept one connection and closed it at the
 * end ran the closing, the idle event loop and the accept path for the first time just as users came: the gateway
 * threw away (deoptimized) about 30 of its hottest compiled Netty, gRPC and selector methods within 130 ms of ready,
 * and its compilers took 200-280 ms of the 500 ms its first 20 requests took (docs/benchmarks.md, section 2).
 */
public abstract class SelfWarmUp {

    /** How long the warm-up leaves the service idle between windows, as users leave it between requests. */
    static final Duration IDLE_BETWEEN_WINDOWS = Duration.ofMillis(100);
    /** How long a closed connection may take to finish closing before the warm-up goes on regardless. */
    private static final Duration CLOSING = Duration.ofSeconds(5);

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
    private volatile int grpcPort;

    /**
     * @param name          what warms up, in log lines and the thread's name
     * @param answeredMeter counts each answered warm-up request in the service's metrics
     */
    protected SelfWarmUp(ServingConfiguration.WarmUp config, String name, Logger log, Runnable answeredMeter) {
        // checked at start-up, so a bad setting stops the service instead of leaving it cold
        this.settings = new WarmUp.Settings(config.getTimeLimit(), config.getWindow(), config.getTolerance(),
                config.getCompileShare(), config.getMinRequests());
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
        this.grpcPort = grpcPort;
        Thread thread = new Thread(this::run, "warm-up-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Sends representative requests over {@link #loopback()}, a plaintext channel to this service's own gRPC port
     * (taken anew for each request: it changes between windows), with {@link WarmUp#run} and {@link #settings},
     * calling {@link #answered()} for each answer; returns how it ended.
     */
    protected abstract WarmUp.Result warmUp() throws InterruptedException;

    /** The warm-up's current channel to this service's own gRPC port. */
    protected final Channel loopback() {
        return channel;
    }

    /**
     * Closes the connections the warm-up opened besides its gRPC channel and waits until they are closed; the next
     * request opens new ones. Nothing here; the gateway closes its HTTP connection.
     */
    protected void closeOtherConnections() {
    }

    /** One warm-up request was answered; after each window the warm-up reconnects. */
    protected final void answered() {
        int answered = requests.incrementAndGet();
        answeredMeter.run();
        if (answered % settings.window() == 0 && !closing) {
            reconnect();
        }
    }

    protected final boolean closing() {
        return closing;
    }

    private void run() {
        channel = openLoopback();
        try {
            WarmUp.Result result = warmUp();
            // a request cut off by the shutdown is no failure worth a warning
            if (result.outcome() != WarmUp.Outcome.FAILED || !closing) {
                WarmUp.log(log, name, settings, result);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("warm-up of {} could not start; serving cold: {}", name, e.toString());
        } finally {
            disconnect();
            warm = true;
            warmListeners.forEach(Runnable::run);
        }
    }

    /** Closes the warm-up's connections, idles, and opens a new channel (unless the service is shutting down). */
    private void reconnect() {
        disconnect();
        try {
            Thread.sleep(IDLE_BETWEEN_WINDOWS.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the next request fails and ends the warm-up
        }
        ManagedChannel next = openLoopback();
        channel = next;
        if (closing) {
            next.shutdownNow(); // close() may have run between disconnect() and here
        }
    }

    /** A plaintext channel to this service's own gRPC port; it connects at its first call. */
    private ManagedChannel openLoopback() {
        return ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
    }

    /** Closes the gRPC channel and the other connections, waiting (at most {@link #CLOSING}) until they are. */
    private void disconnect() {
        closeOtherConnections();
        ManagedChannel open = channel;
        open.shutdown();
        try {
            open.awaitTermination(CLOSING.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            open.shutdownNow();
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
