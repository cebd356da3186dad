package dev.stackgan.evaluation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.simple.SimpleMatrix;

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
     * eigenvalues of S_a^1/2 S_b S_a^1/2, a symmetric matrix with the same spectrum as S_a S_b; EJML's symmetric
     * eigen-decomposition gives both that spectrum and S_a^1/2.
     */
    public static double frechetDistance(double[][] a, double[][] b) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("a Frechet distance needs at least 2 samples per set, got "
                    + a.length + " and " + b.length);
        }
        SimpleMatrix rowsA = new SimpleMatrix(a);
        SimpleMatrix rowsB = new SimpleMatrix(b);
        SimpleMatrix meanA = columnMeans(rowsA);
        SimpleMatrix meanB = columnMeans(rowsB);
        SimpleMatrix covA = covariance(rowsA, meanA);
        SimpleMatrix covB = covariance(rowsB, meanB);
        double distance = meanA.minus(meanB).normF() * meanA.minus(meanB).normF() + covA.trace() + covB.trace();
        SimpleMatrix rootA = symmetricRoot(covA);
        for (double value : symmetricEigenvalues(rootA.mult(covB).mult(rootA))) {
            distance -= 2 * Math.sqrt(Math.max(value, 0));
        }
        return Math.max(distance, 0);
    }

    private static SimpleMatrix columnMeans(SimpleMatrix rows) {
        return SimpleMatrix.ones(1, rows.getNumRows()).mult(rows).divide(rows.getNumRows());
    }

    /** Unbiased sample covariance (divides by n - 1). */
    private static SimpleMatrix covariance(SimpleMatrix rows, SimpleMatrix mean) {
        SimpleMatrix centred = rows.minus(SimpleMatrix.ones(rows.getNumRows(), 1).mult(mean));
        return centred.transpose().mult(centred).divide(rows.getNumRows() - 1);
    }

    /** V diag(sqrt(max(lambda, 0))) V^T of a symmetric positive semi-definite matrix. */
    private static SimpleMatrix symmetricRoot(SimpleMatrix matrix) {
        EigenDecomposition_F64<DMatrixRMaj> eigen = symmetricEigen(matrix);
        SimpleMatrix root = new SimpleMatrix(matrix.getNumRows(), matrix.getNumCols());
        for (int k = 0; k < eigen.getNumberOfEigenvalues(); k++) {
            SimpleMatrix v = SimpleMatrix.wrap(eigen.getEigenVector(k));
            root = root.plus(Math.sqrt(Math.max(eigen.getEigenvalue(k).getReal(), 0)), v.mult(v.transpose()));
        }
        return root;
    }

    private static double[] symmetricEigenvalues(SimpleMatrix matrix) {
        EigenDecomposition_F64<DMatrixRMaj> eigen = symmetricEigen(matrix);
        double[] values = new double[eigen.getNumberOfEigenvalues()];
        for (int k = 0; k < values.length; k++) {
            values[k] = eigen.getEigenvalue(k).getReal();
        }
        return values;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> symmetricEigen(SimpleMatrix matrix) {
        // symmetrised against round-off, so the symmetric (real-spectrum) solver applies
        DMatrixRMaj symmetric = matrix.plus(matrix.transpose()).divide(2).getDDRM();
        EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(symmetric.numRows, true, true);
        if (!eigen.decompose(symmetric)) {
            throw new ArithmeticException("the eigen-decomposition of a " + symmetric.numRows + "x"
                    + symmetric.numCols + " covariance did not converge");
        }
        return eigen;
    }
}
