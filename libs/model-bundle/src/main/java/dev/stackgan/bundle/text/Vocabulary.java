package dev.stackgan.bundle.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Word to id mapping built from training captions. Id 0 is padding, id 1 the unknown word; the remaining words are
 * ordered by descending frequency, ties alphabetically, so the same captions always give the same ids.
 */
public final class Vocabulary {

    public static final String PAD = "<pad>";
    public static final String UNKNOWN = "<unk>";
    public static final int PAD_ID = 0;
    public static final int UNKNOWN_ID = 1;

    private final List<String> words;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> words) {
        if (words.size() < 2 || !PAD.equals(words.get(PAD_ID)) || !UNKNOWN.equals(words.get(UNKNOWN_ID))) {
            throw new IllegalArgumentException("a vocabulary starts with " + PAD + " and " + UNKNOWN);
        }
        this.words = List.copyOf(words);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            if (index.put(words.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate vocabulary word '" + words.get(i) + "' at line " + (i + 1));
            }
        }
        this.ids = index;
    }

    /** Builds the vocabulary of {@code captions}, keeping words seen at least {@code minCount} times. */
    public static Vocabulary build(Iterable<String> captions, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (String caption : captions) {
            for (String word : Tokenizer.words(caption)) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        List<String> kept = new ArrayList<>();
        counts.forEach((word, count) -> {
            if (count >= minCount) {
                kept.add(word);
            }
        });
        kept.sort(Comparator.comparing((String w) -> -counts.get(w)).thenComparing(Comparator.naturalOrder()));
        List<String> words = new ArrayList<>(List.of(PAD, UNKNOWN));
        words.addAll(kept);
        return new Vocabulary(words);
    }

    public static Vocabulary of(List<String> wordsInIdOrder) {
        return new Vocabulary(wordsInIdOrder);
    }

    /** Reads the one-word-per-line file written by {@link #write}; line n holds id n - 1. */
    public static Vocabulary read(Path file) throws IOException {
        return new Vocabulary(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public void write(Path file) throws IOException {
        Files.write(file, words, StandardCharsets.UTF_8);
    }

    public int size() {
        return words.size();
    }

    public int id(String word) {
        return ids.getOrDefault(word, UNKNOWN_ID);
    }

    public boolean contains(String word) {
        return ids.containsKey(word) && ids.get(word) > UNKNOWN_ID;
    }

    public String word(int id) {
        return words.get(id);
    }

    public List<String> words() {
        return Collections.unmodifiableList(words);
    }

    /** Captions as one flat array of token ids [N * maxWords], each padded as {@link #encode} pads it. */
    public long[] tokenIds(List<String> captions, int maxWords) {
        long[] ids = new long[captions.size() * maxWords];
        for (int i = 0; i < captions.size(); i++) {
            System.arraycopy(encode(captions.get(i), maxWords).tokenIds(), 0, ids, i * maxWords, maxWords);
        }
        return ids;
    }

    /**
     * Turns a caption into exactly {@code maxWords} ids, padded with {@link #PAD_ID}. Words past the limit are
     * dropped and reported in {@link EncodedCaption#truncatedWords()}.
     */
    public EncodedCaption encode(String caption, int maxWords) {
        List<String> all = Tokenizer.words(caption);
        List<String> used = all.subList(0, Math.min(all.size(), maxWords));
        long[] tokenIds = new long[maxWords];
        Set<String> unknown = new LinkedHashSet<>();
        for (int i = 0; i < used.size(); i++) {
            String word = used.get(i);
            tokenIds[i] = id(word);
            if (tokenIds[i] == UNKNOWN_ID) {
                unknown.add(word);
            }
        }
        return new EncodedCaption(List.copyOf(used), tokenIds, used.size(), all.size() - used.size(),
                List.copyOf(unknown));
    }
}
