package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stackgan.gateway.Generation;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Base64;
import java.util.List;

/** Body of a successful POST /v1/images: base64 PNGs with their seeds, the version that made them, timings. */
@Serdeable
public record ImagesResponse(List<Image> images, @JsonProperty("model_version") String modelVersion,
                             Timings timings,
                             @JsonInclude(JsonInclude.Include.ALWAYS) // clients index it; [] when all known
                             @JsonProperty("unknown_words") List<String> unknownWords,
                             @JsonProperty("truncated_words") int truncatedWords) {

    @Serdeable
    public record Image(String png, long seed, int width, int height, int stage) {
    }

    @Serdeable
    public record Timings(@JsonProperty("text_encoder_ms") long textEncoderMs,
                          @JsonProperty("stage1_ms") long stage1Ms,
                          @JsonProperty("stage2_ms") long stage2Ms,
                          @JsonProperty("total_ms") long totalMs) {
    }

    public static ImagesResponse of(Generation generation) {
        Generation.Timings t = generation.timings();
        return new ImagesResponse(
                generation.images().stream().map(image -> new Image(
                        Base64.getEncoder().encodeToString(image.png().toByteArray()), image.seed(), image.width(),
                        image.height(), image.stage())).toList(),
                generation.modelVersion(),
                new Timings(t.textEncoderMs(), t.stage1Ms(), t.stage2Ms(), t.totalMs()),
                generation.unknownWords(), generation.truncatedWords());
    }
}
