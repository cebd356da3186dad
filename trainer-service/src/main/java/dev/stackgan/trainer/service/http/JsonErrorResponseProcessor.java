package dev.stackgan.trainer.service.http;

import dev.stackgan.trainer.service.TrainerApplication;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
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
 * Errors Micronaut detects itself on the trainer's HTTP port (an unknown path, a wrong method, a query value it
 * cannot convert) in the API's one shape, {@link ErrorBody}, instead of Micronaut's default body.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
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
                .map(path -> path.startsWith("/") ? path.substring(1) : path).findFirst().orElse(null);
        String code = switch (status) {
            case BAD_REQUEST -> "INVALID_ARGUMENT";
            case NOT_FOUND -> "NOT_FOUND";
            default -> status.name();
        };
        return response.contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(new ErrorBody(new ErrorBody.Detail(code, status.getCode(), message, field)));
    }
}
