package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayException;
import dev.stackgan.serving.Errors;
import io.grpc.Status;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A refused or failed request as an HTTP status with the JSON error body; the gRPC code maps one to one. */
@Produces
@Singleton
@Requires(classes = {GatewayException.class, ExceptionHandler.class})
public class GatewayExceptionHandler implements ExceptionHandler<GatewayException, HttpResponse<ErrorBody>> {

    @Override
    public MutableHttpResponse<ErrorBody> handle(HttpRequest request, GatewayException e) {
        HttpStatus status = httpStatus(e.code());
        return HttpResponse.<ErrorBody>status(status)
                .body(ErrorBody.of(e.code().name(), status.getCode(), e.getMessage(), e.field(),
                        RequestIdFilter.id(request)));
    }

    /** Also the outcome of a gRPC call in the metrics, so both APIs count a refusal alike. */
    public static HttpStatus httpStatus(Status.Code code) {
        return HttpStatus.valueOf(Errors.httpStatus(code));
    }
}
