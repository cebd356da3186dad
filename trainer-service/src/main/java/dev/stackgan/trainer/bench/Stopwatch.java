package dev.stackgan.trainer.bench;

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
            long t = System.nanoTime();
            work.run();
            nanos[runs++] = System.nanoTime() - t;
        }
        LatencyStats stats = LatencyStats.ofNanos(Arrays.copyOf(nanos, runs));
        done++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        progress.printf("[%s %d/%d] %-34s %4d runs  p50 %9.2f ms | %.2f measurements/s, ETA %.0f s%n", section, done,
                planned, label, runs, stats.p50(), done / elapsed, (planned - done) * elapsed / done);
        return stats;
    }
}
