package dev.stackgan.trainer.service.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.stackgan.trainer.service.ConfinedPaths;
import dev.stackgan.trainer.service.InvalidFieldException;
import java.io.UncheckedIOException;
import java.util.List;

/** What the HTTP API's controllers share: ids from the path, and stackgan.v1 messages as JSON. */
final class Params {

    /** proto3's JSON mapping, fields at their default value included (int64 values are JSON strings). */
    private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields()
            .omittingInsignificantWhitespace();

    private Params() {
    }

    /** A run, checkpoint or bundle id from the path: a positive integer, else 400 naming {@code field}. */
    static long id(String field, String value) {
        if (value.matches("[0-9]{1,18}") && Long.parseLong(value) > 0) {
            return Long.parseLong(value);
        }
        throw new InvalidFieldException(field, field + " must be a positive integer, got "
                + ConfinedPaths.shown(value));
    }

    /** Every value of a query parameter given repeated ({@code a=x&a=y}) or as a comma list ({@code a=x,y}). */
    static List<String> words(List<String> values) {
        return values.stream().flatMap(v -> List.of(v.split(",")).stream()).map(String::trim)
                .filter(v -> !v.isEmpty()).toList();
    }

    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }
}
