package dev.stackgan.datasets.synthetic;

import dev.stackgan.datasets.synthetic.BirdAttributes.BillShape;
import dev.stackgan.datasets.synthetic.BirdAttributes.WingPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Writes captions in the style and vocabulary of the CUB-200-2011 descriptions (Reed et al.). Every template only
 * states attributes the bird has; a template that needs an absent part (eyebrows, malar stripes, wing markings)
 * yields null and is not used for that bird. A colour word directly before a part word always is that part's true
 * colour ({@link BirdAttributes#colourOfPart}).
 */
final class CaptionWriter {

    private static final int ATTEMPTS = 200;

    /** One template, given a phrase builder bound to the bird and a random source. */
    private record Words(BirdAttributes a, SplittableRandom rng) {
        String c(BirdColour colour) {
            return colour.word(rng.nextBoolean());
        }

        /** The colour with its indefinite article: "a red", "an orange". */
        String ac(BirdColour colour) {
            return article(c(colour));
        }

        String size() {
            return BirdAttributes.word(a.size()).replace("medium", "medium sized");
        }

        String length() {
            return BirdAttributes.word(a.billLength());
        }

        String shape() {
            return switch (a.billShape()) {
                case POINTED -> rng.nextBoolean() ? "pointy" : "straight pointed";
                case HOOKED -> "hooked";
                case CURVED -> "curved";
            };
        }

        String markings() {
            return a.wingPattern() == WingPattern.STRIPED ? (rng.nextBoolean() ? "streaks" : "stripes") : "spots";
        }

        String shade(BirdColour colour) {
            boolean light = List.of(BirdColour.GREY, BirdColour.BLUE, BirdColour.BROWN, BirdColour.GREEN)
                    .contains(colour) && rng.nextBoolean();
            return (light ? "light " : "") + c(colour);
        }
    }

    private static final List<Function<Words, String>> TEMPLATES = List.of(
        w -> "this bird has " + w.ac(w.a.crown()) + " crown, " + w.c(w.a.wing()) + " wings and "
                + w.ac(w.a.belly()) + " belly",
        w -> article(w.size()) + " " + w.c(w.a.belly()) + " bird with "
                + (w.a.wingPattern() == WingPattern.SOLID ? "solid " + w.c(w.a.wing())
                        : BirdAttributes.word(w.a.wingPattern()))
                + " wings and a " + w.length() + " " + w.c(w.a.bill()) + " bill",
        w -> "this bird is " + w.c(w.a.belly()) + " with " + w.c(w.a.wing()) + " and has a very " + w.length()
                + " beak",
        w -> "this bird has wings that are " + w.c(w.a.wing()) + " and has " + w.ac(w.a.belly()) + " belly",
        w -> "the " + w.size() + " bird has " + w.c(w.a.belly()) + " belly, and " + w.ac(w.a.crown())
                + " colored crown",
        w -> "this is " + w.ac(w.a.belly()) + " bodied bird with " + w.shade(w.a.wing()) + " wings and "
                + w.ac(w.a.belly()) + " breast",
        w -> w.a.crown() == w.a.belly()
                ? article(w.size()) + " bird with " + w.ac(w.a.crown()) + " head, breast, and belly and "
                        + w.c(w.a.wing()) + " wings"
                : article(w.size()) + " bird with " + w.ac(w.a.crown()) + " head, " + w.ac(w.a.belly())
                        + " breast and belly and " + w.c(w.a.wing()) + " wings",
        w -> w.a.malar() == null ? null : "this bird has " + w.c(w.a.malar()) + " malar stripes, with "
                + w.ac(w.a.crown()) + " head and " + (w.a.wingPattern() == WingPattern.STRIPED
                        ? w.c(w.a.wing()) + "/" + w.c(w.a.patternColour()) + " striped wings"
                        : w.c(w.a.wing()) + " wings"),
        w -> "this bird had " + w.c(w.a.wing()) + " primaries, " + w.ac(w.a.crown()) + " crown, and "
                + w.c(w.a.belly()) + " belly",
        w -> "this bird has " + w.ac(w.a.bill()) + " bill with " + w.c(w.a.belly()) + " breast and "
                + w.c(w.a.legs()) + " feet",
        w -> "this " + w.c(w.a.crown()) + " and " + w.c(w.a.wing()) + " " + w.size() + " bird has "
                + article(w.shape()) + " beak",
        w -> "this is " + w.ac(w.a.belly()) + " bird with " + w.ac(w.a.wing()) + " tail and " + w.c(w.a.wing())
                + " wings as well as " + w.ac(w.a.bill()) + " beak",
        w -> article(w.size()) + " " + w.c(w.a.belly()) + " bird with " + w.c(w.a.crown())
                + " feathers along the top of its head",
        w -> article(w.c(w.a.belly())) + " body bird with a regularly sized head in comparison to the body",
        w -> "this bird has " + w.ac(w.a.crown()) + " crest and " + w.c(w.a.bill()) + " beak",
        w -> article(w.size()) + " bird with " + w.ac(w.a.crown()) + " head and " + w.c(w.a.belly())
                + " on the rest of its body",
        w -> "this bird has " + w.ac(w.a.crown()) + " crown as well as " + w.ac(w.a.belly()) + " belly",
        w -> "this bird is " + w.c(w.a.belly()) + " in color, and has " + w.ac(w.a.bill()) + " beak",
        w -> w.a.eyebrow() == null ? null : "this bird has " + w.ac(w.a.bill()) + " bill, " + w.ac(w.a.belly())
                + " belly and " + w.c(w.a.eyebrow()) + " eyebrows",
        w -> w.a.patternColour() == null ? null : "this bird has " + w.ac(w.a.belly()) + " breast and belly, "
                + w.ac(w.a.bill()) + " bill, and " + w.c(w.a.wing()) + " wings with " + w.c(w.a.patternColour())
                + " " + w.markings(),
        w -> "the bird has " + w.c(w.a.legs()) + " feet, " + w.ac(w.a.crown()) + " head and a " + w.length() + " "
                + w.shape() + " bill",
        w -> w.a.billShape() != BillShape.POINTED ? null : "this bird is " + w.c(w.a.belly()) + " with "
                + w.c(w.a.wing()) + " and has a " + w.length() + ", pointy beak",
        w -> "this bird is mostly " + w.c(w.a.belly()) + " with " + w.c(w.a.wing()) + " wings and "
                + w.ac(w.a.wing()) + " tail",
        w -> w.a.wingPattern() != WingPattern.SPOTTED ? null : "a bird with " + w.c(w.a.wing())
                + " wings covered in " + w.c(w.a.patternColour()) + " spots and " + w.ac(w.a.crown()) + " crown");

    private CaptionWriter() {
    }

    /** {@code count} different captions of bird {@code a}. */
    static List<String> captions(BirdAttributes a, int count, SplittableRandom rng) {
        Words words = new Words(a, rng);
        Set<String> captions = new LinkedHashSet<>();
        for (int attempt = 0; captions.size() < count && attempt < ATTEMPTS; attempt++) {
            String caption = TEMPLATES.get(rng.nextInt(TEMPLATES.size())).apply(words);
            if (caption != null) {
                captions.add(caption);
            }
        }
        if (captions.size() < count) {
            throw new IllegalStateException("could not write " + count + " different captions for " + a);
        }
        // Like CUB's annotators, about two in three end their sentence with a full stop.
        List<String> written = new ArrayList<>();
        for (String caption : captions) {
            written.add(rng.nextInt(3) == 0 ? caption : caption + ".");
        }
        return written;
    }

    private static String article(String word) {
        return ("aeiou".indexOf(word.toLowerCase(Locale.ROOT).charAt(0)) >= 0 ? "an " : "a ") + word;
    }
}
