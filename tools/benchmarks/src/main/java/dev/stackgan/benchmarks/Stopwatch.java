package dev.stackgan.benchmarks;

import dev.stackgan.console.Progress;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Times repeated runs of one piece of work: one warm-up run, then runs until both {@code minRuns} and the time budget
 * are reached. Prints one progress line per measurement with the section's rate and ETA.
 */
public final class Stopwatch {

    /** Work that may throw, timed as a whole. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** Runs per block when two alternatives alternate. */
    static final int BLOCK = 5;

    private final String section;
    private final int planned;
    private final double budgetSeconds;
    private final int minRuns;
    private final PrintStream progress;
    private final long start = System.nanoTime();
    private int done;

    public Stopwatch(String section, int planned, double budgetSeconds, int minRuns, PrintStream progress) {
        this.section = section;
        this.planned = planned;
        this.budgetSeconds = budgetSeconds;
        this.minRuns = minRuns;
        this.progress = progress;
    }

    public LatencyStats time(String label, Work work) throws Exception {
        work.run();
        long[] nanos = new long[1000];
        int runs = 0;
        long begin = System.nanoTime();
        while (runs < nanos.length && (runs < minRuns || System.nanoTime() - begin < budgetSeconds * 1e9)) {
            runs = timeRuns(work, nanos, runs, 1);
        }
        LatencyStats stats = LatencyStats.ofNanos(Arrays.copyOf(nanos, runs));
        report(label, runs + " runs", stats.p50());
        return stats;
    }

    /**
     * Times two alternatives side by side: one warm-up each, then alternating blocks of {@value #BLOCK} runs of
     * {@code a} and of {@code b} within twice the budget, so a load change on a shared machine hits both alike.
     * Blocks rather than single runs, so that what one alternative leaves running (ONNX Runtime's spinning threads)
     * hits its own next run rather than the other's. Returns {a, b}.
     */
    public LatencyStats[] compare(String label, Work a, Work b) throws Exception {
        a.run();
        b.run();
        long[] nanosA = new long[1000];
        long[] nanosB = new long[1000];
        int runs = 0;
        long begin = System.nanoTime();
        while (runs + BLOCK <= nanosA.length
                && (runs < minRuns || System.nanoTime() - begin < 2 * budgetSeconds * 1e9)) {
            timeRuns(a, nanosA, runs, BLOCK);
            runs = timeRuns(b, nanosB, runs, BLOCK);
        }
        LatencyStats[] stats = {LatencyStats.ofNanos(Arrays.copyOf(nanosA, runs)),
                LatencyStats.ofNanos(Arrays.copyOf(nanosB, runs))};
        report(label, runs + "+" + runs + " runs", stats[1].p50() / stats[0].p50());
        return stats;
    }

    private static int timeRuns(Work work, long[] nanos, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            long t = System.nanoTime();
            work.run();
            nanos[i] = System.nanoTime() - t;
        }
        return from + count;
    }

    /** Counts one measurement done and prints its progress line; {@code runs} says what was run. */
    void report(String label, String runs, double value) {
        report(label, runs, runs.contains("+") ? "b/a p50" : "p50 ms", value);
    }

    /** {@link #report(String, String, double)} with the value's {@code unit}. */
    void report(String label, String runs, String unit, double value) {
        done++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        String what = String.format("%s %d/%d %-34s %9s  %s %9.2f", section, done, planned, label, runs, unit,
                value);
        progress.println(Progress.line(100.0 * done / planned, what, done / elapsed, "measurements",
                (planned - done) * elapsed / done));
    }
}
