package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** Body of POST /v1/images; absent n means 1, absent stage means 2, absent seed means random. */
@Serdeable
public record ImagesRequest(@Nullable String prompt, @Nullable Integer n, @Nullable Long seed,
                            @Nullable Integer stage, @Nullable @JsonProperty("model_version") String modelVersion) {
}
