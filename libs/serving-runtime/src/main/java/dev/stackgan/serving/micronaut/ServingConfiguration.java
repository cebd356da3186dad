package dev.stackgan.serving.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code stackgan.serving.*}: where the bundles are and how they run. Defaults suit a local run on a small CPU
 * host; each service's application.yml sets its own batching limits.
 */
@ConfigurationProperties("stackgan.serving")
public class ServingConfiguration {

    /** Directory holding bundle sub-directories and the CURRENT pointer (a docker volume in compose). */
    private Path modelRepository = Path.of("models");
    /** Serve the bundle shipped in the jar while the repository has no (or an empty) CURRENT pointer. */
    private boolean defaultBundle = true;
    /** How often the CURRENT pointer is read. */
    private Duration pollInterval = Duration.ofSeconds(10);
    /** Versions kept loaded: the current one and the previous ones still pinned by requests. */
    private int keepVersions = 2;
    /** auto (CUDA if it loads, else CPU), cuda (fail without it) or cpu. */
    private String executionProvider = "auto";
    /** ONNX Runtime intra-op threads; 0 = one per core. */
    private int intraOpThreads = 0;
    /**
     * Intra-op threads of a second session per graph that runs the batches starting while another batch runs (with
     * {@code batching.instances} above 1); 0 = no second session, every batch runs with {@code intra-op-threads}.
     * One thread each lets two overlapping batches share 2 cores without splitting every operator, while a batch
     * that runs alone still gets a thread per core (docs/benchmarks.md, section 7).
     */
    private int overlapIntraOpThreads = 0;
    /** ONNX Runtime inter-op threads; 0 = ONNX Runtime's default. */
    private int interOpThreads = 0;
    /**
     * Whether ONNX Runtime's idle pool threads busy-wait for the next operator (its own default: yes). No: the
     * model services share the cores with each other and the gateway, and spinning pools steal them.
     */
    private boolean allowSpinning = false;
    /**
     * Whether gRPC calls run on the transport thread that read them (Netty's event loop) instead of being handed to
     * the IO executor first. The model services' handlers only check a request and queue it in the batcher, which
     * answers from its own thread, so the handoff bought one more thread wake-up per call (docs/benchmarks.md,
     * section 7). ReloadModel, which loads a bundle, moves to the IO executor itself.
     */
    private boolean transportThreadCalls = true;
    /** ONNX Runtime graph optimizations: none, basic, extended or all. */
    private String optimizationLevel = "all";
    private Batching batching = new Batching();
    private WarmUp warmUp = new WarmUp();

    @ConfigurationProperties("batching")
    public static class Batching {
        /** Largest merged batch, and largest batch one request may carry. */
        private int maxBatchSize = 16;
        /** Longest a request waits for others to fill its batch. */
        private Duration maxQueueDelay = Duration.ofMillis(5);
        /** Requests that may wait; more get RESOURCE_EXHAUSTED. */
        private int maxQueueSize = 64;
        /**
         * Whether a request that arrives while nothing is queued or running waits {@code max-queue-delay} for
         * company. No: a lone request on an idle batcher runs at once; requests arriving during a run still wait
         * to be merged.
         */
        private boolean waitWhenIdle = false;
        /**
         * Batches run at once (Triton's instance count), each on a worker thread of its own; a batch that starts alone
         * uses {@code intra-op-threads} ONNX Runtime threads, one that starts beside another
         * {@code overlap-intra-op-threads}.
         */
        private int instances = 1;

        public int getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public Duration getMaxQueueDelay() {
            return maxQueueDelay;
        }

        public void setMaxQueueDelay(Duration maxQueueDelay) {
            this.maxQueueDelay = maxQueueDelay;
        }

        public int getMaxQueueSize() {
            return maxQueueSize;
        }

        public void setMaxQueueSize(int maxQueueSize) {
            this.maxQueueSize = maxQueueSize;
        }

        public boolean isWaitWhenIdle() {
            return waitWhenIdle;
        }

        public void setWaitWhenIdle(boolean waitWhenIdle) {
            this.waitWhenIdle = waitWhenIdle;
        }

        public int getInstances() {
            return instances;
        }

        public void setInstances(int instances) {
            this.instances = instances;
        }
    }

    /**
     * {@code warm-up.*}: before it reports ready the service sends itself representative requests until their median
     * latency settles or the time limit passes, so that its first users do not pay for the JIT.
     */
    @ConfigurationProperties("warm-up")
    public static class WarmUp {
        /** Whether to warm up before readiness turns SERVING. */
        private boolean enabled = true;
        /**
         * Longest the warm-up runs; readiness turns SERVING then, settled or not. Long enough for the JIT backlog
         * of four JVMs sharing 2 cores (Stage-II and the gateway settle after 40-66 s there): a limit that ends the
         * warm-up first leaves the backlog to the first users (docs/operations.md, "Warm-up before ready").
         */
        private Duration timeLimit = Duration.ofSeconds(120);
        /** Latencies per window: settled when the last window's median is near the one before's. */
        private int window = 20;
        /** How near: a fraction of the earlier window's median (0.1 = within 10 %). */
        private double tolerance = 0.1;
        /**
         * Settled also needs the JIT quiet: at most this share of the last window's wall time spent compiling (summed
         * over the compiler threads). Latency alone settles while the compilers still hold a core.
         */
        private double compileShare = 0.05;
        /**
         * The fewest requests before the warm-up may settle. Latency and the JIT's share can both look settled while
         * the request path still runs in C1's profiling code, short of C2's thresholds: the first users then push it
         * over them. The model services reach them under the gateway's warm-up; the gateway sets 1,500
         * (docs/operations.md, "Warm-up before ready").
         */
        private int minRequests = 0;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getTimeLimit() {
            return timeLimit;
        }

        public void setTimeLimit(Duration timeLimit) {
            this.timeLimit = timeLimit;
        }

        public int getWindow() {
            return window;
        }

        public void setWindow(int window) {
            this.window = window;
        }

        public double getTolerance() {
            return tolerance;
        }

        public void setTolerance(double tolerance) {
            this.tolerance = tolerance;
        }

        public int getMinRequests() {
            return minRequests;
        }

        public void setMinRequests(int minRequests) {
            this.minRequests = minRequests;
        }

        public double getCompileShare() {
            return compileShare;
        }

        public void setCompileShare(double compileShare) {
            this.compileShare = compileShare;
        }
    }

    public Path getModelRepository() {
        return modelRepository;
    }

    public void setModelRepository(Path modelRepository) {
        this.modelRepository = modelRepository;
    }

    public boolean isDefaultBundle() {
        return defaultBundle;
    }

    public void setDefaultBundle(boolean defaultBundle) {
        this.defaultBundle = defaultBundle;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getKeepVersions() {
        return keepVersions;
    }

    public void setKeepVersions(int keepVersions) {
        this.keepVersions = keepVersions;
    }

    public String getExecutionProvider() {
        return executionProvider;
    }

    public void setExecutionProvider(String executionProvider) {
        this.executionProvider = executionProvider;
    }

    public int getIntraOpThreads() {
        return intraOpThreads;
    }

    public void setIntraOpThreads(int intraOpThreads) {
        this.intraOpThreads = intraOpThreads;
    }

    public int getOverlapIntraOpThreads() {
        return overlapIntraOpThreads;
    }

    public void setOverlapIntraOpThreads(int overlapIntraOpThreads) {
        this.overlapIntraOpThreads = overlapIntraOpThreads;
    }

    public int getInterOpThreads() {
        return interOpThreads;
    }

    public void setInterOpThreads(int interOpThreads) {
        this.interOpThreads = interOpThreads;
    }

    public boolean isAllowSpinning() {
        return allowSpinning;
    }

    public void setAllowSpinning(boolean allowSpinning) {
        this.allowSpinning = allowSpinning;
    }

    public boolean isTransportThreadCalls() {
        return transportThreadCalls;
    }

    public void setTransportThreadCalls(boolean transportThreadCalls) {
        this.transportThreadCalls = transportThreadCalls;
    }

    public String getOptimizationLevel() {
        return optimizationLevel;
    }

    public void setOptimizationLevel(String optimizationLevel) {
        this.optimizationLevel = optimizationLevel;
    }

    public Batching getBatching() {
        return batching;
    }

    public void setBatching(Batching batching) {
        this.batching = batching;
    }

    public WarmUp getWarmUp() {
        return warmUp;
    }

    public void setWarmUp(WarmUp warmUp) {
        this.warmUp = warmUp;
    }
}
