package dev.stackgan.serving;

import java.time.Duration;

/**
 * Limits of dynamic batching, as in Triton: concurrent requests are merged into one run of up to
 * {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay} after the oldest request arrived; at most
 * {@code maxQueueSize} requests wait, more are refused with RESOURCE_EXHAUSTED. {@code maxBatchSize} is also the
 * largest batch one request may carry.
 */
public record BatchingPolicy(int maxBatchSize, Duration maxQueueDelay, int maxQueueSize) {

    public BatchingPolicy {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("batching.max-batch-size must be >= 1, got " + maxBatchSize);
        }
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("batching.max-queue-delay must be >= 0, got " + maxQueueDelay);
        }
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("batching.max-queue-size must be >= 1, got " + maxQueueSize);
        }
    }
}
