package dev.stackgan.serving.metrics;

import java.time.Duration;

/**
 * Histogram buckets of the serving latencies: a tiny bundle's run takes a millisecond, a Stage-II batch of 8 on
 * CPU seconds, and the gateway's deadline is 60 s. Explicit, so every instance exports the same buckets and
 * {@code histogram_quantile} can sum them across replicas.
 */
public final class LatencyBuckets {

    public static final Duration[] SECONDS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private LatencyBuckets() {
    }
}
