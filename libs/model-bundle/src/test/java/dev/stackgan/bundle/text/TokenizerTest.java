package dev.stackgan.bundle.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.ExampleCaptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    /** Real CUB-style captions (the test-fixtures module says where they come from). */
    static List<String> realCaptions() {
        return ExampleCaptions.lines();
    }

    @Test
    void splitsRealCaptionsIntoLowercaseWordsWithoutPunctuation() {
        List<String> captions = realCaptions();
        assertEquals(26, captions.size());
        assertEquals(List.of("this", "bird", "has", "black", "malar", "stripes", "with", "an", "orange", "head", "and",
                "brown", "black", "striped", "wings"), Tokenizer.words(captions.get(4)));
        for (String caption : captions) {
            for (String word : Tokenizer.words(caption)) {
                assertTrue(word.matches("[a-z0-9]+"), () -> "unexpected token '" + word + "' in: " + caption);
            }
        }
    }

    @Test
    void emptyAndWhitespaceGiveNoWords() {
        assertEquals(List.of(), Tokenizer.words(""));
        assertEquals(List.of(), Tokenizer.words(" \t\n  "));
        assertEquals(List.of(), Tokenizer.words(null));
        assertEquals(List.of(), Tokenizer.words("...!?,;"));
    }

    @Test
    void punctuationGluedWordsAreSplit() {
        assertEquals(List.of("brown", "black"), Tokenizer.words("brown/black"));
        assertEquals(List.of("light", "grey", "wings"), Tokenizer.words("light-grey wings."));
        assertEquals(List.of("bird", "s", "beak"), Tokenizer.words("bird's beak"));
        assertEquals(List.of("2nd", "bird", "has", "3", "stripes"), Tokenizer.words("2nd bird has 3 stripes"));
    }

    @Test
    void nonAsciiIsFoldedOrKeptAsOneWord() {
        assertEquals(List.of("cafe", "creme", "bird"), Tokenizer.words("Café CRÈME bird"));
        assertEquals(List.of("red", "bird"), Tokenizer.words("ｒｅｄ bird")); // full-width letters
        assertEquals(List.of("小鳥", "red"), Tokenizer.words("小鳥 🐦 red"));
        assertEquals(List.of("istanbul"), Tokenizer.words("ISTANBUL"));
    }

    @Test
    void vocabularyIsDeterministicAndStartsWithPadAndUnknown() {
        List<String> captions = List.of("a red bird", "a blue bird", "a bird");
        Vocabulary vocabulary = Vocabulary.build(captions, 1);
        assertEquals(List.of("<pad>", "<unk>", "a", "bird", "blue", "red"), vocabulary.words());
        assertEquals(vocabulary.words(), Vocabulary.build(List.of("a bird", "a blue bird", "a red bird"), 1).words());
        assertEquals(List.of("<pad>", "<unk>", "a", "bird"), Vocabulary.build(captions, 2).words());
    }

    @Test
    void encodesOnlyUnknownWords() {
        Vocabulary vocabulary = Vocabulary.build(List.of("a red bird"), 1);
        EncodedCaption encoded = vocabulary.encode("zebra zebra quokka", 18);
        assertEquals(3, encoded.length());
        assertEquals(List.of("zebra", "quokka"), encoded.unknownWords());
        assertTrue(encoded.hasNoKnownWord());
        for (int i = 0; i < 3; i++) {
            assertEquals(Vocabulary.UNKNOWN_ID, encoded.tokenIds()[i]);
        }
        for (int i = 3; i < 18; i++) {
            assertEquals(Vocabulary.PAD_ID, encoded.tokenIds()[i]);
        }
        assertFalse(vocabulary.encode("a zebra", 18).hasNoKnownWord());
    }

    @Test
    void encodesEmptyCaptionAsAllPadding() {
        Vocabulary vocabulary = Vocabulary.build(List.of("a red bird"), 1);
        EncodedCaption encoded = vocabulary.encode("   ", 18);
        assertEquals(0, encoded.length());
        assertEquals(18, encoded.tokenIds().length);
        for (long id : encoded.tokenIds()) {
            assertEquals(Vocabulary.PAD_ID, id);
        }
    }

    @Test
    void truncatesOverTheWordLimitAndReportsIt() {
        Vocabulary vocabulary = Vocabulary.build(realCaptions(), 1);
        String longCaption = "this bird has a white breast and belly, a black bill, and black wings with grey"
                + " streaks and a long tail";
        EncodedCaption encoded = vocabulary.encode(longCaption, 18);
        assertEquals(18, encoded.length());
        assertEquals(3, encoded.truncatedWords()); // 21 words
        assertTrue(encoded.truncated());
        assertEquals("and", encoded.words().get(17));
        assertEquals(vocabulary.id("grey"), encoded.tokenIds()[15]);
        assertFalse(vocabulary.encode("a small bird", 18).truncated());
    }

    @Test
    void vocabularyFileRoundTrips(@TempDir Path dir) throws IOException {
        Vocabulary vocabulary = Vocabulary.build(realCaptions(), 1);
        Path file = dir.resolve("vocab.txt");
        vocabulary.write(file);
        Vocabulary read = Vocabulary.read(file);
        assertEquals(vocabulary.words(), read.words());
        assertEquals(vocabulary.id("belly"), read.id("belly"));
        assertEquals(Vocabulary.UNKNOWN_ID, read.id("zebra"));
    }
}
