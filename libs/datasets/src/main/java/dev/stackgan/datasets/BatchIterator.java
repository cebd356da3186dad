package dev.stackgan.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * One epoch of shuffled batches. The epoch's random source shuffles the order and then gives every sample its own
 * seed in order, so samples can be built in parallel and the epoch is still the same for the same seed.
 */
public final class BatchIterator implements Iterator<Batch> {

    private final CubDataset dataset;
    private final int batchSize;
    private final Random rng;
    private final List<Integer> order;
    private int next;

    BatchIterator(CubDataset dataset, int batchSize, Random rng, boolean dropLast) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.rng = rng;
        List<Integer> indices = new ArrayList<>(IntStream.range(0, dataset.size()).boxed().toList());
        Collections.shuffle(indices, rng);
        int usable = dropLast ? indices.size() / batchSize * batchSize : indices.size();
        this.order = indices.subList(0, usable);
    }

    /** Number of batches in this epoch. */
    public int batches() {
        return (order.size() + batchSize - 1) / batchSize;
    }

    @Override
    public boolean hasNext() {
        return next < order.size();
    }

    @Override
    public Batch next() {
        List<Integer> indices = advance();
        long[] seeds = new long[indices.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = rng.nextLong();
        }
        return dataset.batch(indices, seeds);
    }

    /**
     * Passes over the next {@code batches} batches without building them, drawing the same random numbers, so a
     * run resumed mid-epoch continues with exactly the batches it would have seen.
     */
    public void skip(int batches) {
        for (int b = 0; b < batches; b++) {
            int count = advance().size();
            for (int i = 0; i < count; i++) {
                rng.nextLong();
            }
        }
    }

    private List<Integer> advance() {
        if (!hasNext()) {
            throw new NoSuchElementException("the epoch has no more batches");
        }
        List<Integer> indices = order.subList(next, Math.min(order.size(), next + batchSize));
        next += indices.size();
        return indices;
    }
}
