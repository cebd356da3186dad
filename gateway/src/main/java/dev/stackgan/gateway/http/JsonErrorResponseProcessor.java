package dev.stackgan.gateway.http;

import dev.stackgan.serving.Errors;
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
        // Micronaut's messages repeat the value they could not convert: only an excerpt of each
        String message = context.hasErrors()
                ? context.getErrors().stream().map(error -> Errors.excerpt(error.getMessage()))
                        .collect(Collectors.joining("; "))
                : status.getReason();
        // Micronaut names the field as a JSON pointer (/seed); the gateway's errors name it as the API does (seed)
        String field = context.getErrors().stream().map(Error::getPath).flatMap(Optional::stream)
                .map(path -> Errors.excerpt(path.startsWith("/") ? path.substring(1) : path))
                .findFirst().orElse(null);
        String code = status == HttpStatus.BAD_REQUEST ? "INVALID_ARGUMENT" : status.name();
        return response.contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(ErrorBody.of(code, status.getCode(), message, field, RequestIdFilter.id(context.getRequest())));
    }
}
