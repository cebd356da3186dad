package dev.stackgan.benchmarks;

import java.util.Arrays;

/** Latency summary of repeated runs, in milliseconds. Percentiles are nearest-rank, so p99 of few runs is the max. */
public record LatencyStats(int runs, double p50, double p99, double min, double mean) {

    public static LatencyStats ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no runs to summarize");
        }
        double[] ms = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
        return new LatencyStats(ms.length, percentile(ms, 50), percentile(ms, 99), ms[0],
                Arrays.stream(ms).average().orElseThrow());
    }

    /** Nearest-rank percentile of ascending {@code sorted}: the smallest value with at least p % at or below it. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0 || p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " of " + sorted.length + " values");
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
