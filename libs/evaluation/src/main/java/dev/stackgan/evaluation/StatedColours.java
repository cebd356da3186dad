package dev.stackgan.evaluation;

import dev.stackgan.bundle.text.Tokenizer;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.datasets.synthetic.BirdColour;
import dev.stackgan.evaluation.AttributeClassifier.Attribute;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The crown, wing and belly colours a caption states. A caption names only some of a bird's parts ("this bird has
 * an orange crest and red beak" says nothing of its wings), so an image drawn from it can show the unstated colours
 * only by guessing; caption fidelity is fair only over the captions that state the attribute.
 *
 * <p>A colour is stated by a colour word directly before a word for the part (the pairs that SyntheticBirdsTest
 * checks against the true attributes; {@link BirdAttributes.Part#of}), or directly before
 * "bird", which the caption templates use only for the body ("a small yellow bird with ..."). Looser forms ("this
 * bird is red with black", "this red and black small bird") are ambiguous about the part and are not counted.
 */
public final class StatedColours {

    private StatedColours() {
    }

    /** The colour the caption states for each attribute it states; empty when it states none. */
    public static Map<Attribute, BirdColour> of(String caption) {
        Map<Attribute, BirdColour> stated = new EnumMap<>(Attribute.class);
        List<String> words = Tokenizer.words(caption);
        for (int i = 0; i + 1 < words.size(); i++) {
            BirdColour colour = BirdColour.fromWord(words.get(i));
            Attribute part = colour == null ? null : part(words.get(i + 1));
            if (part != null) {
                stated.putIfAbsent(part, colour);
            }
        }
        return stated;
    }

    private static Attribute part(String word) {
        BirdAttributes.Part part = "bird".equals(word) ? BirdAttributes.Part.BELLY : BirdAttributes.Part.of(word);
        return part == null ? null : switch (part) {
            case CROWN -> Attribute.CROWN;
            case WING -> Attribute.WING;
            case BELLY -> Attribute.BELLY;
            default -> null;
        };
    }
}
