package dev.stackgan.serving.warmup;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Sends a representative request over and over until its latency has settled ({@link LatencySettling}) and the JIT
 * has gone quiet ({@link CompileShare}), after at least a minimum of requests, or until the time limit passes. Each
 * request gets the time limit's end as its deadline, so a request that hangs cannot hold the warm-up past it. A
 * failed request ends the warm-up: the caller reports it and becomes ready anyway.
 */
public final class WarmUp {

    /**
     * @param timeLimit longest the warm-up runs
     * @param window    latencies per window of the settling rule
     * @param tolerance how far (a fraction) the last window's median may differ from the one before's
     * @param compileShare the largest share of the last window's wall time the JIT may have spent compiling
     * @param minRequests the fewest requests before the warm-up may settle
     */
    public record Settings(Duration timeLimit, int window, double tolerance, double compileShare, int minRequests) {
        public Settings {
            if (timeLimit.isNegative() || timeLimit.isZero()) {
                throw new IllegalArgumentException("stackgan.serving.warm-up.time-limit must be positive, got "
                        + timeLimit);
            }
            if (window < 1) {
                throw new IllegalArgumentException("stackgan.serving.warm-up.window must be >= 1, got " + window);
            }
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("stackgan.serving.warm-up.tolerance must be >= 0, got "
                        + tolerance);
            }
            if (!(compileShare >= 0)) {
                throw new IllegalArgumentException("stackgan.serving.warm-up.compile-share must be >= 0, got "
                        + compileShare);
            }
            if (minRequests < 0) {
                throw new IllegalArgumentException("stackgan.serving.warm-up.min-requests must be >= 0, got "
                        + minRequests);
            }
        }
    }

    public enum Outcome {
        /**
         * The last window's median latency came within the tolerance of the one before, the JIT quiet in it, after
         * at least the minimum of requests.
         */
        SETTLED,
        /** The time limit passed first. */
        TIME_LIMIT,
        /** A request failed; {@link Result#failure()} says how. */
        FAILED
    }

    /**
     * @param requests    requests answered
     * @param p50Nanos    median latency of the last window (of all requests while fewer)
     * @param compileShare the JIT's share of the last window's time (NaN before a whole window)
     * @param failure     the failed request's error; null unless FAILED
     */
    public record Result(Outcome outcome, int requests, long elapsedNanos, long p50Nanos, double compileShare,
                         Throwable failure) {
    }

    private WarmUp() {
    }

    /** Runs {@code request} (given its deadline) until settled, failed or out of time; {@code answered} hears each. */
    public static Result run(Settings settings, Consumer<Deadline> request, Runnable answered) {
        return run(settings, CompileShare.thisJvm(), request, answered);
    }

    /** {@link #run(Settings, Consumer, Runnable)}, the JIT's compilation ms so far read from {@code compileMillis}. */
    static Result run(Settings settings, LongSupplier compileMillis, Consumer<Deadline> request, Runnable answered) {
        LatencySettling settling = new LatencySettling(settings.window(), settings.tolerance());
        CompileShare jit = new CompileShare(settings.window(), compileMillis);
        long start = System.nanoTime();
        Deadline end = Deadline.after(settings.timeLimit().toNanos(), TimeUnit.NANOSECONDS);
        int requests = 0;
        jit.mark();
        while (!end.isExpired()) {
            long sent = System.nanoTime();
            try {
                request.accept(end);
            } catch (RuntimeException e) {
                // a request cut off by the time limit's deadline is the limit, not a failure
                Outcome outcome = end.isExpired() ? Outcome.TIME_LIMIT : Outcome.FAILED;
                return new Result(outcome, requests, System.nanoTime() - start, settling.recentMedian(),
                        jit.lastWindow(), outcome == Outcome.FAILED ? e : null);
            }
            settling.add(System.nanoTime() - sent);
            jit.mark();
            requests++;
            answered.run();
            double compileShare = jit.lastWindow();
            if (requests >= settings.minRequests() && settling.settled() && compileShare <= settings.compileShare()) {
                return new Result(Outcome.SETTLED, requests, System.nanoTime() - start, settling.recentMedian(),
                        compileShare, null);
            }
        }
        return new Result(Outcome.TIME_LIMIT, requests, System.nanoTime() - start, settling.recentMedian(),
                jit.lastWindow(), null);
    }

    /** Logs how the warm-up of {@code what} ended: INFO when settled or out of time, WARN when a request failed. */
    public static void log(Logger log, String what, Settings settings, Result result) {
        String jit = Double.isNaN(result.compileShare()) ? "JIT not measured (fewer requests than a window)"
                : String.format("JIT compiling %.0f %% of the last window", 100 * result.compileShare());
        String summary = String.format("warm-up of %s: %d requests in %.1f s, p50 %.2f ms, %s", what,
                result.requests(), result.elapsedNanos() / 1e9, result.p50Nanos() / 1e6, jit);
        switch (result.outcome()) {
            case SETTLED -> log.info("{}; latency settled and the JIT quiet (window {}, tolerance {}, compile share "
                    + "{}, min requests {})", summary, settings.window(), settings.tolerance(), settings.compileShare(),
                    settings.minRequests());
            case TIME_LIMIT -> log.info("{}; stopped at the time limit ({}) before latency settled and the JIT went "
                    + "quiet", summary, settings.timeLimit());
            case FAILED -> log.warn("{}; a request failed, serving without finishing it: {}", summary,
                    result.failure().toString());
        }
    }

    /** Gives every call the warm-up's end as its deadline. */
    public static ClientInterceptor until(Deadline deadline) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                return next.newCall(method, options.withDeadline(deadline));
            }
        };
    }
}
