package dev.stackgan.serving.warmup;

import java.util.Arrays;

/**
 * Whether a request path's latency has stopped falling: the median of the last {@code window} latencies is within
 * {@code tolerance} (a fraction) of the median of the {@code window} before. Medians, so that one slow request (a GC
 * pause, a neighbour on the core) neither settles nor unsettles it.
 */
final class LatencySettling {

    private final int window;
    private final double tolerance;
    /** The last 2 x window latencies, a ring indexed by count. */
    private final long[] recent;
    private long count;

    LatencySettling(int window, double tolerance) {
        this.window = window;
        this.tolerance = tolerance;
        this.recent = new long[2 * window];
    }

    void add(long nanos) {
        recent[(int) (count++ % recent.length)] = nanos;
    }

    boolean settled() {
        if (count < recent.length) {
            return false;
        }
        long before = median(count - 2L * window);
        long last = median(count - window);
        return Math.abs(last - before) <= tolerance * before;
    }

    /** The median of the last window, or of every latency while there are fewer; 0 before the first. */
    long recentMedian() {
        int size = (int) Math.min(count, window);
        return size == 0 ? 0 : median(count - size, size);
    }

    private long median(long first) {
        return median(first, window);
    }

    private long median(long first, int size) {
        long[] values = new long[size];
        for (int i = 0; i < size; i++) {
            values[i] = recent[(int) ((first + i) % recent.length)];
        }
        Arrays.sort(values);
        return values[size / 2];
    }
}
