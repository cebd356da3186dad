package dev.stackgan.datasets.synthetic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A synthetic species fixes the crown, wing and belly colours; everything else varies per image. The 200 species
 * are a fixed draw (independent of the generator seed) so class names mean the same in every generated data set.
 */
public record Species(int id, BirdColour crown, BirdColour wing, BirdColour belly) {

    public static final int COUNT = 200;
    private static final long CATALOG_SEED = 2011L;
    private static final List<Species> ALL = catalog();

    public static List<Species> all() {
        return ALL;
    }

    /** CUB-style folder name, e.g. "001.Red_Crowned_Blue_Winged_White_Bellied_Bird". */
    public String folderName() {
        return String.format("%03d.%s", id, baseName());
    }

    /** The name without the number, used in image file names like CUB's "Black_Footed_Albatross_0001_796111". */
    public String baseName() {
        return crown.title() + "_Crowned_" + wing.title() + "_Winged_" + belly.title() + "_Bellied_Bird";
    }

    // Wings lie on the body, so a species never has wing and belly of one colour: the wing would vanish.
    private static List<Species> catalog() {
        List<BirdColour[]> combinations = new ArrayList<>();
        for (BirdColour crown : BirdColour.values()) {
            for (BirdColour wing : BirdColour.values()) {
                for (BirdColour belly : BirdColour.values()) {
                    if (wing != belly) {
                        combinations.add(new BirdColour[] {crown, wing, belly});
                    }
                }
            }
        }
        Collections.shuffle(combinations, new Random(CATALOG_SEED));
        List<Species> species = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            BirdColour[] c = combinations.get(i);
            species.add(new Species(i + 1, c[0], c[1], c[2]));
        }
        return List.copyOf(species);
    }
}
