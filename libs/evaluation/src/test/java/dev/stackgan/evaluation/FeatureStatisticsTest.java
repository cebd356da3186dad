package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureStatisticsTest {

    private static double[][] gaussian(int n, int d, double shift, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian() * (1 + j % 3) + shift;
            }
        }
        return rows;
    }

    @Test
    void frechetDistanceOfASetWithItselfIsZero() {
        double[][] a = gaussian(80, 12, 0, 1);
        assertEquals(0, FeatureStatistics.frechetDistance(a, a), 1e-6);
    }

    @Test
    void frechetDistanceOfTwoGaussiansMatchesTheClosedForm() {
        // diagonal covariances: FID = |mu_a - mu_b|^2 + sum (sa - sb)^2 with sa, sb the standard deviations
        double[][] a = {{1, 0}, {-1, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {0, 1}, {0, -1}};
        double[][] b = new double[a.length][2];
        for (int i = 0; i < a.length; i++) {
            b[i][0] = 3 * a[i][0] + 2;
            b[i][1] = 3 * a[i][1];
        }
        double variance = 4.0 / 7; // sample variance of each coordinate of a
        double expected = 4 + 2 * Math.pow(3 * Math.sqrt(variance) - Math.sqrt(variance), 2);
        assertEquals(expected, FeatureStatistics.frechetDistance(a, b), 1e-9);
    }

    @Test
    void frechetDistanceOfCorrelatedSetsIsSymmetricAndUnchangedByACommonRotation() {
        // correlated coordinates make the covariances non-diagonal, so the matrix root is really exercised
        double[][] a = correlated(gaussian(120, 3, 0, 5));
        double[][] b = correlated(gaussian(120, 3, 0.5, 6));
        double ab = FeatureStatistics.frechetDistance(a, b);
        assertEquals(ab, FeatureStatistics.frechetDistance(b, a), 1e-9 * ab);
        assertEquals(ab, FeatureStatistics.frechetDistance(rotated(a), rotated(b)), 1e-9 * ab);
        assertTrue(ab > 0.5, "distance " + ab);
    }

    private static double[][] correlated(double[][] rows) {
        for (double[] row : rows) {
            row[1] += 0.8 * row[0];
            row[2] -= 0.5 * row[1];
        }
        return rows;
    }

    /** Rotates every row by 30 degrees in the plane of the first two coordinates. */
    private static double[][] rotated(double[][] rows) {
        double c = Math.cos(Math.PI / 6);
        double s = Math.sin(Math.PI / 6);
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            out[i][0] = c * rows[i][0] - s * rows[i][1];
            out[i][1] = s * rows[i][0] + c * rows[i][1];
        }
        return out;
    }

    @Test
    void inceptionScoreOfOneConstantOneHotIsOneAndOfEvenConfidentPredictionsTheClassCount() {
        double[][] constant = new double[10][4];
        for (double[] row : constant) {
            row[2] = 1;
        }
        assertEquals(1, FeatureStatistics.inceptionScore(constant), 1e-12);
        double[][] spread = new double[8][4];
        for (int i = 0; i < spread.length; i++) {
            spread[i][i % 4] = 1;
        }
        assertEquals(4, FeatureStatistics.inceptionScore(spread), 1e-9);
    }

    @Test
    void meanPairwiseDistance() {
        assertEquals(0, FeatureStatistics.meanPairwiseDistance(new float[] {1, 2, 1, 2, 1, 2}, 3));
        // (0,0), (3,4), (0,8): distances 5, 8, 5
        assertEquals(6, FeatureStatistics.meanPairwiseDistance(new float[] {0, 0, 3, 4, 0, 8}, 3), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> FeatureStatistics.meanPairwiseDistance(new float[2], 1));
    }

    @Test
    void frechetDistanceGrowsWithTheShift() {
        double[][] a = gaussian(60, 6, 0, 2);
        double near = FeatureStatistics.frechetDistance(a, gaussian(60, 6, 0.1, 3));
        double far = FeatureStatistics.frechetDistance(a, gaussian(60, 6, 2, 4));
        assertTrue(far > near, far + " vs " + near);
    }
}
