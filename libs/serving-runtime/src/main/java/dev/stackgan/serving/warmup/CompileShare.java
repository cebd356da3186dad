package dev.stackgan.serving.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * How busy the JIT was over the last window of warm-up requests: the time the JVM spent compiling (summed over its
 * compiler threads, so it can pass 1) as a share of the window's wall time. Latency alone settles too early: on two
 * cores a stack's latency stopped falling after about 60 requests, while its compilers kept a core busy for 1,000
 * more and the first users' requests ran 3x the warm median (docs/benchmarks.md, section 7).
 */
final class CompileShare {

    private final LongSupplier compileMillis;
    /** Compilation milliseconds and wall time at the last window + 1 marks, a ring indexed by count. */
    private final long[] millis;
    private final long[] nanos;
    private long count;

    /** {@code compileMillis}: the JVM's accumulated compilation time so far, in ms ({@link #thisJvm()}). */
    CompileShare(int window, LongSupplier compileMillis) {
        this.compileMillis = compileMillis;
        this.millis = new long[window + 1];
        this.nanos = new long[window + 1];
    }

    /** Records the compilation time now: once before the first request and once after each. */
    void mark() {
        int slot = (int) (count++ % millis.length);
        millis[slot] = compileMillis.getAsLong();
        nanos[slot] = System.nanoTime();
    }

    /** The share over the last window of requests; NaN until a whole window has been marked. */
    double lastWindow() {
        if (count < millis.length) {
            return Double.NaN;
        }
        int newest = (int) ((count - 1) % millis.length);
        int oldest = (int) (count % millis.length);
        double wallMillis = Math.max(1, nanos[newest] - nanos[oldest]) / 1e6;
        return (millis[newest] - millis[oldest]) / wallMillis;
    }

    /** This JVM's compilation time, from its {@link CompilationMXBean}; always 0 where the JVM cannot tell. */
    static LongSupplier thisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return () -> 0;
        }
        return jit::getTotalCompilationTime;
    }
}
