package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RPrecisionTest {

    @Test
    void foldStatisticsOfAHandMadeScoreMatrix() {
        // six images in three folds of two; column 0 is the true caption
        double[][] scores = {
            {0.9, 0.1, 0.2}, // hit
            {0.5, 0.6, 0.1}, // miss
            {0.8, 0.7, 0.7}, // hit
            {0.3, 0.2, 0.1}, // hit
            {0.4, 0.4, 0.0}, // tie: miss
            {0.1, 0.2, 0.3}, // miss
        };
        RPrecision.Result result = RPrecision.fromScores(scores, 3);
        // fold rates 0.5, 1.0, 0.0: mean 0.5, population std sqrt(1/6)
        assertEquals(0.5, result.mean(), 1e-12);
        assertEquals(Math.sqrt(1.0 / 6), result.std(), 1e-12);
        assertEquals(3, result.folds());
        assertEquals(3, result.candidates());
        assertEquals(6, result.samples());
    }

    @Test
    void foldsAreCappedAtTheImageCount() {
        RPrecision.Result result = RPrecision.fromScores(new double[][] {{1, 0}, {0, 1}}, 10);
        assertEquals(2, result.folds());
        assertEquals(0.5, result.mean(), 1e-12);
        assertEquals(0.5, result.std(), 1e-12);
    }

    @Test
    void candidatesComeFromOtherClassesOnlyAndAreCappedAtAHundred() {
        int dim = 2;
        // image 0 (class 1) equals its caption; the pool holds 150 captions of class 2 and one exact copy of
        // image 0's caption in class 1, which must never be drawn as a competitor
        float[] images = {1, 0};
        float[] captions = {1, 0};
        float[] pool = new float[151 * dim];
        int[] poolClasses = new int[151];
        pool[0] = 1;
        poolClasses[0] = 1;
        for (int j = 1; j < 151; j++) {
            pool[j * dim] = 0.5f;
            pool[j * dim + 1] = 1;
            poolClasses[j] = 2;
        }
        RPrecision.Result result = RPrecision.compute(images, captions, new int[] {1}, pool, poolClasses, dim, 10,
                new Random(1));
        assertEquals(1.0, result.mean());
        assertEquals(RPrecision.CANDIDATES, result.candidates());
    }
}
