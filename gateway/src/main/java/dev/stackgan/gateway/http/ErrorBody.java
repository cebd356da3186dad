package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Every HTTP error: {"error": {"code": "INVALID_ARGUMENT", "status": 400, "message": "...", "field": "n",
 * "request_id": "..."}}. code is the gRPC status name the gRPC API answers with; field is null when no single request
 * field is at fault; request_id is the request's x-request-id ({@link RequestIdFilter}).
 */
@Serdeable
public record ErrorBody(Detail error) {

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String code, int status, String message, @Nullable String field,
                         @JsonProperty("request_id") @Nullable String requestId) {
    }

    public static ErrorBody of(String code, int status, String message, String field, String requestId) {
        return new ErrorBody(new Detail(code, status, message, field, requestId));
    }
}
