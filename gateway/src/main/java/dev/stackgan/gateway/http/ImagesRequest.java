package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayException;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.Seeds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.tree.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Body of POST /v1/images; absent (or null) n means 1, stage 2, seed random. Read from the JSON tree field by field
 * so that a value of the wrong JSON type is refused naming its field instead of being converted (an array prompt
 * used to become a string). Unknown properties are refused too, so that a misspelt one, e.g. the gRPC name
 * num_images, is not silently ignored.
 */
public record ImagesRequest(String prompt, Integer n, Long seed, Integer stage, String modelVersion) {

    private static final List<String> FIELDS = List.of("prompt", "n", "seed", "stage", "model_version");

    /** @param maxImages the largest n, named when n is out of range */
    public static ImagesRequest parse(@Nullable JsonNode body, int maxImages) {
        if (body == null || !body.isObject()) {
            throw GatewayException.invalid(null, "the request body must be a JSON object with at least a prompt");
        }
        for (Map.Entry<String, JsonNode> property : body.entries()) {
            if (!FIELDS.contains(property.getKey())) {
                String name = Errors.excerpt(property.getKey());
                throw GatewayException.invalid(name, "unknown property '" + name + "'; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        Long n = whole(body, "n", "must be 1 to " + maxImages);
        Long seed = whole(body, "seed", "seeds must be 0 to " + Seeds.MAX_SEED + " (2^48 - 1)");
        Long stage = whole(body, "stage", "must be 1 or 2");
        return new ImagesRequest(string(body, "prompt"), n == null ? null : intOf("n", n, "must be 1 to " + maxImages),
                seed, stage == null ? null : intOf("stage", stage, "must be 1 or 2"), string(body, "model_version"));
    }

    private static String string(JsonNode body, String field) {
        JsonNode value = present(body, field);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw wrongType(field, "a string", value);
        }
        return value.getStringValue();
    }

    /** A whole JSON number that fits a long; {@code range} ends the message when it does not fit. */
    private static Long whole(JsonNode body, String field, String range) {
        JsonNode value = present(body, field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(field, "a whole number", value);
        }
        BigDecimal number;
        try {
            number = value.getBigDecimalValue();
        } catch (NumberFormatException e) {
            throw GatewayException.invalid(field, field + " is not a finite number; " + range);
        }
        if (number.signum() != 0 && number.stripTrailingZeros().scale() > 0) {
            throw GatewayException.invalid(field, field + " must be a whole number, got "
                    + Errors.excerpt(number.toString()));
        }
        try {
            return number.longValueExact();
        } catch (ArithmeticException e) {
            throw GatewayException.invalid(field, field + " is " + Errors.excerpt(number.toPlainString()) + "; "
                    + range);
        }
    }

    private static int intOf(String field, long value, String range) {
        if (value != (int) value) {
            throw GatewayException.invalid(field, field + " is " + value + ", " + range);
        }
        return (int) value;
    }

    private static JsonNode present(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static GatewayException wrongType(String field, String expected, JsonNode value) {
        String actual = value.isString() ? "a string" : value.isNumber() ? "a number"
                : value.isBoolean() ? "a boolean" : value.isArray() ? "an array" : "an object";
        return GatewayException.invalid(field, field + " must be " + expected + ", got " + actual);
    }
}
