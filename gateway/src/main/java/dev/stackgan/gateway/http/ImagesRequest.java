package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Body of POST /v1/images; absent n means 1, absent stage means 2, absent seed means random. Unknown properties are
 * refused (400) so that a misspelt one, e.g. the gRPC name num_images, is not silently ignored.
 */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = false)
public record ImagesRequest(@Nullable String prompt, @Nullable Integer n, @Nullable Long seed,
                            @Nullable Integer stage, @Nullable @JsonProperty("model_version") String modelVersion) {
}
