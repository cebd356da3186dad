package dev.stackgan.datasets.synthetic;

import java.awt.Color;
import java.util.Locale;

/** CUB's colour words, each with an RGB value far from the others so a 64 px image still tells them apart. */
public enum BirdColour {
    RED(215, 30, 30),
    BLUE(30, 75, 215),
    YELLOW(250, 220, 30),
    BLACK(22, 22, 22),
    WHITE(245, 245, 245),
    BROWN(125, 72, 30),
    GREY(140, 140, 140),
    GREEN(35, 150, 45),
    ORANGE(250, 135, 20),
    PURPLE(135, 45, 170);

    private final Color rgb;

    BirdColour(int r, int g, int b) {
        this.rgb = new Color(r, g, b);
    }

    public Color rgb() {
        return rgb;
    }

    /** The caption word; grey has CUB's two spellings. */
    public String word(boolean alternativeSpelling) {
        return this == GREY && alternativeSpelling ? "gray" : name().toLowerCase(Locale.ROOT);
    }

    /** The colour a caption word names, or null; accepts both spellings of grey. */
    public static BirdColour fromWord(String word) {
        if ("gray".equals(word)) {
            return GREY;
        }
        for (BirdColour colour : values()) {
            if (colour.word(false).equals(word)) {
                return colour;
            }
        }
        return null;
    }

    /** Title-case name for species names, e.g. "Red". */
    public String title() {
        String word = word(false);
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
