package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Every HTTP error: {"error": {"code": "INVALID_ARGUMENT", "status": 400, "message": "...", "field": "n"}}.
 * code is the gRPC status name the gRPC API answers with; field is null when no single request field is at fault.
 */
@Serdeable
public record ErrorBody(Detail error) {

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String code, int status, String message, @Nullable String field) {
    }

    public static ErrorBody of(String code, int status, String message, String field) {
        return new ErrorBody(new Detail(code, status, message, field));
    }
}
