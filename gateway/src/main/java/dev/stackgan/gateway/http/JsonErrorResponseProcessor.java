package dev.stackgan.gateway.http;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Errors Micronaut itself detects (malformed JSON, a query value of the wrong type, unknown path, wrong method or
 * media type) in the gateway's one error shape, {@link ErrorBody}, instead of Micronaut's default body.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class JsonErrorResponseProcessor implements ErrorResponseProcessor<ErrorBody> {

    @Override
    public MutableHttpResponse<ErrorBody> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        String message = context.hasErrors()
                ? context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "))
                : status.getReason();
        String field = context.getErrors().stream().map(Error::getPath).flatMap(Optional::stream)
                .findFirst().orElse(null);
        String code = status == HttpStatus.BAD_REQUEST ? "INVALID_ARGUMENT" : status.name();
        return response.contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(ErrorBody.of(code, status.getCode(), message, field));
    }
}
