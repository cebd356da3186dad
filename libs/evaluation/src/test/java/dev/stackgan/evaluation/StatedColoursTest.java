package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.TestData;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.datasets.synthetic.BirdColour;
import dev.stackgan.evaluation.AttributeClassifier.Attribute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatedColoursTest {

    @Test
    void readsColourPartPairsAndTheBodyColourBeforeBird() {
        assertEquals(Map.of(Attribute.CROWN, BirdColour.RED, Attribute.WING, BirdColour.BLACK, Attribute.BELLY,
                BirdColour.WHITE), StatedColours.of("this bird has a red crown, black wings and a white belly"));
        assertEquals(Map.of(Attribute.BELLY, BirdColour.YELLOW, Attribute.WING, BirdColour.GREY),
                StatedColours.of("a small yellow bird with solid gray wings and a short grey bill"));
        assertEquals(Map.of(), StatedColours.of("this red and black small bird has a hooked beak"),
                "which part is red is not said");
        assertEquals(Map.of(), StatedColours.of("this bird is blue in color, and has a black beak"),
                "the bill is not scored");
    }

    /**
     * On generated birds, every stated colour is the true one, and each colour is stated by a part of the captions
     * only: what makes the all-captions fidelity figure unreachable for any generator.
     */
    @Test
    void statesOnlyTrueColoursAndEachColourInAPartOfTheCaptions(@TempDir Path dir) throws IOException {
        Path birds = TestData.birds(dir, 120, 11);
        Map<Integer, BirdAttributes> truth = SyntheticAttributes.read(birds.resolve(CubLayout.ROOT)).orElseThrow();
        Map<Attribute, Integer> stated = new EnumMap<>(Attribute.class);
        int captions = 0;
        for (String line : Files.readAllLines(birds.resolve(CubLayout.ROOT).resolve(CubLayout.IMAGES_FILE))) {
            String[] idAndImage = line.split(" ");
            BirdAttributes bird = truth.get(Integer.parseInt(idAndImage[0]));
            Path file = CubLayout.captionFile(birds.resolve(CubLayout.CAPTIONS_DIR), idAndImage[1]);
            for (String caption : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                captions++;
                for (Map.Entry<Attribute, BirdColour> e : StatedColours.of(caption).entrySet()) {
                    assertEquals(e.getKey().label(bird), e.getValue().ordinal(), "'" + caption + "' about "
                            + e.getKey() + " of " + bird);
                    stated.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        for (Attribute a : Attribute.COLOURS) {
            double share = stated.getOrDefault(a, 0) / (double) captions;
            System.out.printf("captions stating the %s colour: %.3f of %d%n", a.key(), share, captions);
            assertTrue(share > 0.15 && share < 0.85, a + " stated by " + share);
        }
    }
}
