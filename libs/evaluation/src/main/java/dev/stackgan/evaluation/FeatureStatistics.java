package dev.stackgan.evaluation;

/**
 * Figures over feature vectors and class probabilities: the Frechet distance of two feature sets (FID with the
 * project's own classifier features), the Inception-style score of a set of predicted distributions, and the mean
 * pairwise distance that measures diversity.
 */
public final class FeatureStatistics {

    private FeatureStatistics() {
    }

    /** Mean Euclidean distance over all pairs of {@code count} equally long vectors in one flat array. */
    public static double meanPairwiseDistance(float[] vectors, int count) {
        if (count < 2) {
            throw new IllegalArgumentException("pairwise distance needs at least 2 vectors, got " + count);
        }
        int length = vectors.length / count;
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < count; a++) {
            for (int b = a + 1; b < count; b++) {
                double squared = 0;
                for (int i = 0; i < length; i++) {
                    double d = vectors[a * length + i] - vectors[b * length + i];
                    squared += d * d;
                }
                sum += Math.sqrt(squared);
                pairs++;
            }
        }
        return sum / pairs;
    }

    /**
     * exp(mean over rows of KL(p_i || p_mean)): 1 when every row predicts the same distribution, up to the number of
     * classes when rows are confident and spread evenly over classes.
     */
    public static double inceptionScore(double[][] probabilities) {
        int n = probabilities.length;
        int k = probabilities[0].length;
        double[] marginal = new double[k];
        for (double[] p : probabilities) {
            for (int c = 0; c < k; c++) {
                marginal[c] += p[c] / n;
            }
        }
        double kl = 0;
        for (double[] p : probabilities) {
            for (int c = 0; c < k; c++) {
                if (p[c] > 0) {
                    kl += p[c] * (Math.log(p[c]) - Math.log(marginal[c])) / n;
                }
            }
        }
        return Math.exp(kl);
    }

    /**
     * Frechet distance between Gaussians fitted to two feature sets (rows are samples):
     * |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^1/2). The trace of the root is the sum of the square roots of the
     * eigenvalues of S_a^1/2 S_b S_a^1/2, a symmetric matrix with the same spectrum as S_a S_b.
     */
    public static double frechetDistance(double[][] a, double[][] b) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("a Frechet distance needs at least 2 samples per set, got "
                    + a.length + " and " + b.length);
        }
        double[] muA = mean(a);
        double[] muB = mean(b);
        double[][] covA = covariance(a, muA);
        double[][] covB = covariance(b, muB);
        int d = muA.length;
        double distance = 0;
        for (int i = 0; i < d; i++) {
            distance += (muA[i] - muB[i]) * (muA[i] - muB[i]) + covA[i][i] + covB[i][i];
        }
        double[][] rootA = symmetricRoot(covA);
        double[] eigen = SymmetricEigen.values(multiply(multiply(rootA, covB), rootA));
        for (double value : eigen) {
            distance -= 2 * Math.sqrt(Math.max(value, 0));
        }
        return Math.max(distance, 0);
    }

    private static double[] mean(double[][] rows) {
        double[] mu = new double[rows[0].length];
        for (double[] row : rows) {
            for (int i = 0; i < mu.length; i++) {
                mu[i] += row[i] / rows.length;
            }
        }
        return mu;
    }

    private static double[][] covariance(double[][] rows, double[] mu) {
        int d = mu.length;
        double[][] cov = new double[d][d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[i][j] += (row[i] - mu[i]) * (row[j] - mu[j]) / (rows.length - 1);
                }
            }
        }
        return cov;
    }

    private static double[][] symmetricRoot(double[][] matrix) {
        SymmetricEigen eigen = SymmetricEigen.of(matrix);
        int d = matrix.length;
        double[][] root = new double[d][d];
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(Math.max(eigen.values()[k], 0));
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    root[i][j] += eigen.vectors()[i][k] * s * eigen.vectors()[j][k];
                }
            }
        }
        return root;
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        int d = x.length;
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) {
                double v = x[i][k];
                for (int j = 0; j < d; j++) {
                    out[i][j] += v * y[k][j];
                }
            }
        }
        return out;
    }
}
