package dev.stackgan.bundle;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** The one Jackson setup for manifests, so the writer produces exactly what the reader accepts. */
final class ManifestJson {

    // Strict on purpose: a missing, null, duplicated or misspelled field is a broken manifest, not a default.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL))
            .build();

    private ManifestJson() {
    }

    static byte[] toBytes(BundleManifest manifest) throws JsonProcessingException {
        return MAPPER.writeValueAsBytes(manifest);
    }

    /** Parses the file as a JSON tree, so the format version can be checked before the layout it implies. */
    static JsonNode readTree(Path file) throws IOException {
        return MAPPER.readTree(file.toFile());
    }

    static BundleManifest bind(JsonNode tree) throws JsonProcessingException {
        return MAPPER.treeToValue(tree, BundleManifest.class);
    }

    /** Jackson's own problem text plus where it is: a line and column in the file, or a field path in the tree. */
    static String describe(JsonProcessingException e) {
        StringBuilder text = new StringBuilder(e.getOriginalMessage());
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            text.append(" (at ").append(mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining()).substring(1)).append(')');
        } else if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            text.append(" (line ").append(e.getLocation().getLineNr())
                    .append(", column ").append(e.getLocation().getColumnNr()).append(')');
        }
        return text.toString();
    }
}
