package dev.stackgan.serving;

import java.time.Duration;

/**
 * Limits of dynamic batching, as in Triton: concurrent requests are merged into one run of up to
 * {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay} after the oldest request arrived; at most
 * {@code maxQueueSize} requests wait, more are refused with RESOURCE_EXHAUSTED. {@code maxBatchSize} is also the
 * largest batch one request may carry. {@code waitWhenIdle} false: a request that arrives while nothing is queued
 * or running is run at once (no sign of company, so waiting only adds latency); requests that arrive while a batch
 * runs wait to be merged as before. {@code instances} batches may run at once, as Triton's instance count: each
 * instance is a worker thread of its own running one batch at a time on the same session.
 */
public record BatchingPolicy(int maxBatchSize, Duration maxQueueDelay, int maxQueueSize, boolean waitWhenIdle,
                             int instances) {

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
        if (instances < 1) {
            throw new IllegalArgumentException("batching.instances must be >= 1, got " + instances);
        }
    }
}
