package dev.stackgan.trainer.service.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Every error of the trainer's HTTP API, in the gateway's shape: {"error": {"code": "NOT_FOUND", "status": 404,
 * "message": "no run with id 7", "field": "run_id"}}. code is the gRPC status the same call answers over gRPC;
 * field is the request field at fault (as the API names it), null when no single field is.
 */
@Serdeable
public record ErrorBody(Detail error) {

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String code, int status, String message, @Nullable String field) {
    }
}
