package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void nearestRankPercentiles() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, LatencyStats.percentile(sorted, 50));
        assertEquals(10, LatencyStats.percentile(sorted, 99));
        assertEquals(1, LatencyStats.percentile(sorted, 1));
        assertEquals(10, LatencyStats.percentile(sorted, 100));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.percentile(sorted, 0));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.percentile(new double[0], 50));
    }

    @Test
    void summarizesUnsortedNanosInMilliseconds() {
        // 1..200 ms, shuffled order: p50 = 100, p99 = 198
        long[] nanos = LongStream.rangeClosed(1, 200).map(i -> (i * 37 % 200 + 1) * 1_000_000).toArray();
        LatencyStats stats = LatencyStats.ofNanos(nanos);
        assertEquals(200, stats.runs());
        assertEquals(100, stats.p50(), 1e-9);
        assertEquals(198, stats.p99(), 1e-9);
        assertEquals(1, stats.min(), 1e-9);
        assertEquals(100.5, stats.mean(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.ofNanos(new long[0]));
    }
}
