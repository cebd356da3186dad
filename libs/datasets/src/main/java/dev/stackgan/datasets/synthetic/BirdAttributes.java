package dev.stackgan.datasets.synthetic;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The ground truth of one synthetic bird. Parts share colours as drawn: the whole head has the crown colour, the
 * tail and primaries the wing colour, breast and belly the belly colour, both legs and feet the leg colour, the eye
 * is always black. {@code eyebrow} and {@code malar} are null when the bird has none; {@code patternColour} is the
 * colour of the stripes or spots (null for solid wings).
 */
public record BirdAttributes(
        BirdColour crown,
        BirdColour wing,
        BirdColour belly,
        BirdColour bill,
        BirdColour legs,
        WingPattern wingPattern,
        BirdColour patternColour,
        BirdColour eyebrow,
        BirdColour malar,
        BirdSize size,
        BillLength billLength,
        BillShape billShape,
        boolean facingLeft,
        Background background) {

    public enum BirdSize { SMALL, MEDIUM, LARGE }

    public enum WingPattern { SOLID, STRIPED, SPOTTED }

    public enum BillLength { SHORT, LONG }

    public enum BillShape { POINTED, HOOKED, CURVED }

    public enum Background { SKY, FOLIAGE, WATER }

    private static final BirdColour[] LEG_COLOURS = {
        BirdColour.BLACK, BirdColour.GREY, BirdColour.BROWN, BirdColour.ORANGE, BirdColour.YELLOW, BirdColour.RED};

    /** Draws the per-image attributes of a bird of {@code species}. */
    public static BirdAttributes random(Species species, SplittableRandom rng) {
        WingPattern pattern = pick(WingPattern.values(), rng);
        BirdColour patternColour = pattern == WingPattern.SOLID ? null : colourOtherThan(rng, species.wing());
        BirdColour eyebrow = rng.nextInt(10) < 4 ? colourOtherThan(rng, species.crown()) : null;
        BirdColour malar = rng.nextInt(10) < 3 ? colourOtherThan(rng, species.crown(), species.belly()) : null;
        return new BirdAttributes(species.crown(), species.wing(), species.belly(), pick(BirdColour.values(), rng),
                pick(LEG_COLOURS, rng), pattern, patternColour, eyebrow, malar, pick(BirdSize.values(), rng),
                pick(BillLength.values(), rng), pick(BillShape.values(), rng), rng.nextBoolean(),
                pick(Background.values(), rng));
    }

    private static <T> T pick(T[] values, SplittableRandom rng) {
        return values[rng.nextInt(values.length)];
    }

    // A marking of the same colour as the part under it would be invisible, so its colour differs from that part.
    private static BirdColour colourOtherThan(SplittableRandom rng, BirdColour... excluded) {
        while (true) {
            BirdColour colour = pick(BirdColour.values(), rng);
            if (!List.of(excluded).contains(colour)) {
                return colour;
            }
        }
    }

    /** Column names of the attributes file, in the order of {@link #tsvFields()}. */
    public static final List<String> TSV_COLUMNS = List.of("crown", "wing", "belly", "bill", "legs", "wing_pattern",
            "pattern_colour", "eyebrow", "malar", "size", "bill_length", "bill_shape", "facing", "background");

    public List<String> tsvFields() {
        return List.of(word(crown), word(wing), word(belly), word(bill), word(legs), word(wingPattern),
                word(patternColour), word(eyebrow), word(malar), word(size), word(billLength), word(billShape),
                facingLeft ? "left" : "right", word(background));
    }

    /** Reads the fields written by {@link #tsvFields()}, e.g. from the attributes file. */
    public static BirdAttributes parse(List<String> f) {
        if (f.size() != TSV_COLUMNS.size()) {
            throw new IllegalArgumentException("expected " + TSV_COLUMNS.size() + " attribute fields " + TSV_COLUMNS
                    + ", got " + f);
        }
        return new BirdAttributes(colour(f.get(0)), colour(f.get(1)), colour(f.get(2)), colour(f.get(3)),
                colour(f.get(4)), value(WingPattern.class, f.get(5)), colour(f.get(6)), colour(f.get(7)),
                colour(f.get(8)), value(BirdSize.class, f.get(9)), value(BillLength.class, f.get(10)),
                value(BillShape.class, f.get(11)), "left".equals(f.get(12)), value(Background.class, f.get(13)));
    }

    private static BirdColour colour(String word) {
        return "none".equals(word) ? null : value(BirdColour.class, word);
    }

    private static <E extends Enum<E>> E value(Class<E> type, String word) {
        return Enum.valueOf(type, word.toUpperCase(Locale.ROOT));
    }

    /** The coloured parts a caption names, each by one or more words. */
    public enum Part {
        CROWN, WING, BELLY, BILL, LEGS, EYEBROW, MALAR, PATTERN;

        /** The part a caption word names, or null if it names none. */
        public static Part of(String word) {
            return switch (word) {
                case "crown", "head", "crest" -> CROWN;
                case "wing", "wings", "primaries", "tail" -> WING;
                case "belly", "breast", "body", "bodied" -> BELLY;
                case "bill", "beak" -> BILL;
                case "feet", "legs" -> LEGS;
                case "eyebrows" -> EYEBROW;
                case "malar" -> MALAR;
                case "stripes", "streaks", "spots" -> PATTERN;
                default -> null;
            };
        }
    }

    /** The true colour of the part a caption word names (null if the bird lacks that part or the word is no part). */
    public BirdColour colourOfPart(String partWord) {
        Part part = Part.of(partWord);
        return part == null ? null : switch (part) {
            case CROWN -> crown;
            case WING -> wing;
            case BELLY -> belly;
            case BILL -> bill;
            case LEGS -> legs;
            case EYEBROW -> eyebrow;
            case MALAR -> malar;
            case PATTERN -> patternColour;
        };
    }

    /** Whether {@code partWord} names a coloured part (see {@link #colourOfPart}). */
    public static boolean isPartWord(String partWord) {
        return Part.of(partWord) != null;
    }

    static String word(Enum<?> value) {
        return value == null ? "none" : value.name().toLowerCase(Locale.ROOT);
    }
}
