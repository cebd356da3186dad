package dev.stackgan.bundle.text;

import java.util.List;

/**
 * A caption as the text encoder sees it.
 *
 * @param words          the words kept, at most the model's word limit
 * @param tokenIds       ids padded to the word limit with {@link Vocabulary#PAD_ID}
 * @param length         how many of {@code tokenIds} are words (0 for a caption without words)
 * @param truncatedWords how many words past the limit were dropped
 * @param unknownWords   distinct kept words that are not in the vocabulary (encoded as {@link Vocabulary#UNKNOWN_ID})
 */
public record EncodedCaption(List<String> words, long[] tokenIds, int length, int truncatedWords,
                             List<String> unknownWords) {

    public boolean truncated() {
        return truncatedWords > 0;
    }

    /** True when no kept word is in the vocabulary: the encoder then sees only unknown-word ids (or nothing). */
    public boolean hasNoKnownWord() {
        return unknownWords.size() == words.stream().distinct().count();
    }
}
