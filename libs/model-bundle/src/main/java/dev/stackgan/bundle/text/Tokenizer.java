package dev.stackgan.bundle.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a caption into words. The same rule runs at training time (vocabulary building) and at serving time, so
 * it is recorded in every model bundle's manifest under {@link #RULE_ID}.
 *
 * <p>The rule (AttnGAN's {@code RegexpTokenizer(r'\w+')} on lowercased text, made explicit for Unicode):
 * <ol>
 *   <li>Unicode NFKD normalisation, then combining marks are dropped: "Café" becomes "cafe", full-width letters
 *       become ASCII.</li>
 *   <li>Lowercase with the root locale (no Turkish dotless-i surprises).</li>
 *   <li>A word is a maximal run of letters and digits of any script; everything else (spaces, punctuation,
 *       slashes, hyphens, apostrophes, emoji) only separates words: "brown/black" gives "brown", "black";
 *       "bird's" gives "bird", "s"; "2nd" stays "2nd"; "鳥" stays a word (and is unknown to a CUB vocabulary).</li>
 * </ol>
 */
public final class Tokenizer {

    /** Identifies this rule in bundle manifests; change it whenever the rule changes. */
    public static final String RULE_ID = "nfkd-strip-marks-lowercase-letters-digits-v1";

    private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private Tokenizer() {
    }

    /** The words of {@code text} in order; empty for null, empty or punctuation-only text. */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        String folded = COMBINING_MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFKD)).replaceAll("");
        Matcher matcher = WORD.matcher(folded.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            words.add(matcher.group());
        }
        return words;
    }
}
