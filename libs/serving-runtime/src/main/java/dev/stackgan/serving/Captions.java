package dev.stackgan.serving;

/** What a caption must look like before it is tokenized; shared by the text encoder and the gateway. */
public final class Captions {

    /** Longest caption in Unicode code points; the encoder reads at most max_words words of it anyway. */
    public static final int MAX_CHARACTERS = 1000;

    private Captions() {
    }

    /** INVALID_ARGUMENT naming {@code field} when the caption is empty, only whitespace or too long. */
    public static void requireValid(String field, String caption) {
        if (caption.isBlank()) {
            throw Errors.invalidArgument(field + " is empty or only whitespace; a caption needs at least one word");
        }
        Errors.requireLength(field, caption, MAX_CHARACTERS);
    }
}
