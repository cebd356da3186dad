package dev.stackgan.trainer.run;

import dev.stackgan.datasets.Batch;
import java.util.Arrays;
import java.util.Random;

/** Turns loader output and seeds into the flat arrays the networks take. */
public final class Batches {

    private Batches() {
    }

    /** The batch's class ids as int64 values [N], as the matching loss takes them. */
    public static long[] classIds(Batch batch) {
        return Arrays.stream(batch.classIds()).asLongStream().toArray();
    }

    /** {@code count} standard normal draws of {@code random}, in order (serving's Seeds draws noise the same way). */
    public static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Mixes a run seed and a counter into a seed for one step's random draws. */
    static long mix(long seed, long counter) {
        long z = seed * 0x9E3779B97F4A7C15L + counter;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
