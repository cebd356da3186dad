package dev.stackgan.trainer.service.http;

import dev.stackgan.trainer.service.InvalidFieldException;
import dev.stackgan.trainer.service.NotFoundException;
import dev.stackgan.trainer.service.TrainerApplication;
import dev.stackgan.trainer.service.TrainerEndpoint;
import io.grpc.Status;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * A refused or failed {@link dev.stackgan.trainer.service.TrainerCalls} call as an HTTP answer: the gRPC API's status
 * ({@link TrainerEndpoint#status}) with its HTTP equivalent, as an {@link ErrorBody} naming the field at fault.
 * Micronaut's own handlers (malformed requests it detects itself) are more specific and win; their answers get the
 * same body from {@link JsonErrorResponseProcessor}.
 */
@Produces
@Singleton
@Requires(env = TrainerApplication.ENVIRONMENT)
public class TrainerErrors implements ExceptionHandler<Exception, HttpResponse<ErrorBody>> {

    private static final Map<Status.Code, HttpStatus> HTTP = Map.of(
            Status.Code.INVALID_ARGUMENT, HttpStatus.BAD_REQUEST,
            Status.Code.UNAUTHENTICATED, HttpStatus.UNAUTHORIZED,
            Status.Code.PERMISSION_DENIED, HttpStatus.FORBIDDEN,
            Status.Code.NOT_FOUND, HttpStatus.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION, HttpStatus.CONFLICT,
            Status.Code.UNAVAILABLE, HttpStatus.SERVICE_UNAVAILABLE);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, Exception e) {
        ErrorBody body = body(e);
        return HttpResponse.<ErrorBody>status(HttpStatus.valueOf(body.error().status())).body(body);
    }

    /** The body of a refusal or failure; server-sent event streams send it as their {@code error} event. */
    static ErrorBody body(Exception e) {
        Status status = TrainerEndpoint.status(e);
        HttpStatus http = HTTP.getOrDefault(status.getCode(), HttpStatus.INTERNAL_SERVER_ERROR);
        String field = e instanceof InvalidFieldException invalid ? invalid.field()
                : e instanceof NotFoundException notFound ? notFound.field() : null;
        return new ErrorBody(new ErrorBody.Detail(status.getCode().name(), http.getCode(), status.getDescription(),
                field));
    }
}
