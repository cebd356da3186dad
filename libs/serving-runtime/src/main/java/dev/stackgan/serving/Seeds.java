package dev.stackgan.serving;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The documented mapping from a seed to noise, identical in every service so that the same seed gives the same
 * image. Seed s feeds {@code java.util.Random(s)} (whose nextGaussian is specified exactly by the JDK), drawn in
 * this order: C values Stage-I CA epsilon, C values Stage-II CA epsilon, Z values Stage-I z. Random keeps 48 bits of
 * state, so seeds are limited to 48 bits: every valid seed gives a different stream.
 */
public final class Seeds {

    /** Largest valid seed, 2^48 - 1 (also exact in JSON doubles). */
    public static final long MAX_SEED = (1L << 48) - 1;

    private Seeds() {
    }

    /** Noise of one image: CA epsilons for both stages and z. */
    public record Noise(float[] stage1CaEpsilon, float[] stage2CaEpsilon, float[] z) {
    }

    public static Noise noise(long seed, int conditionDim, int noiseDim) {
        Random random = new Random(seed);
        return new Noise(gaussians(random, conditionDim), gaussians(random, conditionDim),
                gaussians(random, noiseDim));
    }

    /** The seeds of a request's items: {@code seed} if the request set it (checked), else a random valid one. */
    public static long[] forItems(String field, boolean hasSeed, long seed, int count) {
        long first = hasSeed ? seed : randomFirstSeed(count);
        requireRange(field, first, count);
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = first + i;
        }
        return seeds;
    }

    /**
     * Checks that {@code first .. first + count - 1} are valid seeds; {@code field} names the request field in the
     * INVALID_ARGUMENT message. Seeds arrive as uint64, so values of 2^63 and more show up negative here.
     */
    static void requireRange(String field, long first, int count) {
        if (first < 0 || first > MAX_SEED || first > MAX_SEED - (count - 1)) {
            throw Errors.invalidArgument(field + " is " + Long.toUnsignedString(first) + "; seeds must be 0 to "
                    + MAX_SEED + " (2^48 - 1) and " + field + " + " + (count - 1) + " (one seed per item) too");
        }
    }

    /** A random valid seed for requests that did not bring one, leaving room for {@code count} consecutive ones. */
    static long randomFirstSeed(int count) {
        return ThreadLocalRandom.current().nextLong(MAX_SEED - count + 2);
    }

    private static float[] gaussians(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
