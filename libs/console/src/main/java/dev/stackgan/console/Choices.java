package dev.stackgan.console;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/** Parses a user's word for one of a fixed set of choices (loss, optimizer, run kind, split), with one error form. */
public final class Choices {

    private Choices() {
    }

    /** An enum constant's id as users write it: {@code ADAM} is {@code adam}, {@code CUB_IMAGE} is {@code cub-image}. */
    public static String lowerCaseName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The value whose id equals {@code value}, ignoring case and surrounding blanks; otherwise an
     * {@link IllegalArgumentException} that names {@code field} and lists the ids.
     */
    public static <E> E parse(String field, E[] values, Function<E, String> id, String value) {
        String wanted = value == null ? "" : value.trim();
        return Arrays.stream(values).filter(v -> id.apply(v).equalsIgnoreCase(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(field + " must be one of "
                        + Arrays.stream(values).map(id).toList() + ", got '" + value + "'"));
    }
}
