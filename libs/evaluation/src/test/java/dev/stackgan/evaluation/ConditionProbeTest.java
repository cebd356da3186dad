package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.synthetic.BirdColour;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConditionProbeTest {

    private static final List<BirdColour> COLOURS = List.of(BirdColour.RED, BirdColour.BLUE, BirdColour.YELLOW,
            BirdColour.BLACK);

    /**
     * Vectors that hold the crown colour (a one-hot block) and noise for everything else: the probe finds every
     * crown, the wings only at about chance (one in four colours), and no belly is stated at all.
     */
    @Test
    void findsTheColourTheVectorsHoldAndOnlyChanceOfTheOneTheyLose() {
        Random random = new Random(3);
        ConditionProbe.Encoded reference = encode(400, random);
        ConditionProbe.Encoded heldOut = encode(200, random);
        Map<String, Double> figures = ConditionProbe.measure(reference, heldOut);
        assertEquals(1.0, figures.get("condition_crown_stated"), figures.toString());
        assertEquals(200.0, figures.get("condition_crown_stated_samples"));
        double wing = figures.get("condition_wing_stated");
        assertTrue(wing > 0.1 && wing < 0.45, "chance is 0.25, got " + wing);
        assertTrue(figures.get("condition_belly_stated").isNaN(), "no caption states a belly");
    }

    @Test
    void refusesVectorsThatDoNotFitTheCaptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConditionProbe.Encoded(List.of("a", "b"), new float[5], 3));
        assertEquals("2 captions need 6 floats of dimension 3, got 5", e.getMessage());
    }

    private static ConditionProbe.Encoded encode(int count, Random random) {
        int dimension = COLOURS.size() + 8;
        List<String> captions = new ArrayList<>();
        float[] vectors = new float[count * dimension];
        for (int i = 0; i < count; i++) {
            int crown = random.nextInt(COLOURS.size());
            int wing = random.nextInt(COLOURS.size());
            captions.add("this bird has a " + word(crown) + " crown and " + word(wing) + " wings");
            vectors[i * dimension + crown] = 1f;
            for (int t = COLOURS.size(); t < dimension; t++) {
                vectors[i * dimension + t] = (float) random.nextGaussian() * 0.1f;
            }
        }
        return new ConditionProbe.Encoded(captions, vectors, dimension);
    }

    private static String word(int colour) {
        return COLOURS.get(colour).name().toLowerCase(java.util.Locale.ROOT);
    }
}
