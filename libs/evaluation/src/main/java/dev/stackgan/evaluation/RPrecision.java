package dev.stackgan.evaluation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * R-precision as AttnGAN and DM-GAN report it: for each generated image, its true caption is ranked among itself and
 * up to 99 captions of other classes by the cosine similarity of the matching encoders' image and sentence vectors;
 * the score is the top-1 hit rate, averaged over folds.
 */
public final class RPrecision {

    /** AttnGAN ranks the true caption among 100. */
    public static final int CANDIDATES = 100;

    /**
     * @param mean       top-1 rate averaged over folds
     * @param std        population standard deviation of the fold rates (numpy's default, as AttnGAN prints it)
     * @param candidates captions each image was ranked among (true one included); fewer than 100 when the pool of
     *                   other-class captions is smaller
     */
    public record Result(double mean, double std, int folds, int candidates, int samples) {
    }

    private RPrecision() {
    }

    /**
     * Ranks true captions given their scores: {@code scores[i][0]} is image i's similarity to its own caption,
     * the rest to the other candidates. A hit needs the true caption strictly above every other (ties miss).
     * Images are split into {@code min(folds, n)} consecutive folds of near-equal size.
     */
    public static Result fromScores(double[][] scores, int folds) {
        int n = scores.length;
        if (n == 0) {
            throw new IllegalArgumentException("R-precision needs at least one image");
        }
        int k = Math.min(folds, n);
        double[] rates = new double[k];
        int candidates = Integer.MAX_VALUE;
        for (int f = 0; f < k; f++) {
            int from = f * n / k;
            int to = (f + 1) * n / k;
            int hits = 0;
            for (int i = from; i < to; i++) {
                hits += hit(scores[i]) ? 1 : 0;
                candidates = Math.min(candidates, scores[i].length);
            }
            rates[f] = (double) hits / (to - from);
        }
        double mean = 0;
        for (double r : rates) {
            mean += r / k;
        }
        double variance = 0;
        for (double r : rates) {
            variance += (r - mean) * (r - mean) / k;
        }
        return new Result(mean, Math.sqrt(variance), k, candidates, n);
    }

    private static boolean hit(double[] row) {
        for (int j = 1; j < row.length; j++) {
            if (row[j] >= row[0]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param images        image vectors [n * dim], image i generated from (or showing) caption i
     * @param captions      sentence vectors of those true captions [n * dim]
     * @param classes       class of each image
     * @param pool          sentence vectors of the candidate pool [m * dim]
     * @param poolClasses   class of each pool caption; only other classes' captions are drawn for an image
     */
    public static Result compute(float[] images, float[] captions, int[] classes, float[] pool, int[] poolClasses,
                                 int dim, int folds, Random random) {
        int n = classes.length;
        double[][] scores = new double[n][];
        for (int i = 0; i < n; i++) {
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < poolClasses.length; j++) {
                if (poolClasses[j] != classes[i]) {
                    others.add(j);
                }
            }
            Collections.shuffle(others, random);
            int drawn = Math.min(CANDIDATES - 1, others.size());
            scores[i] = new double[1 + drawn];
            scores[i][0] = cosine(images, i, captions, i, dim);
            for (int c = 0; c < drawn; c++) {
                scores[i][1 + c] = cosine(images, i, pool, others.get(c), dim);
            }
        }
        return fromScores(scores, folds);
    }

    static double cosine(float[] a, int row, float[] b, int other, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < dim; d++) {
            double x = a[row * dim + d];
            double y = b[other * dim + d];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.max(Math.sqrt(na * nb), 1e-12);
    }
}
