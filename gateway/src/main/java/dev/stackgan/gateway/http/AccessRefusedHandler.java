package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayException;
import dev.stackgan.security.AccessRefusedException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A request without the API token (docs/operations.md, "Authentication"): 401 or 403 in the gateway's error body. */
@Produces
@Singleton
public class AccessRefusedHandler implements ExceptionHandler<AccessRefusedException, HttpResponse<ErrorBody>> {

    private final GatewayExceptionHandler errors;

    public AccessRefusedHandler(GatewayExceptionHandler errors) {
        this.errors = errors;
    }

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, AccessRefusedException e) {
        return errors.handle(request, new GatewayException(e.refusal().code(), null, e.getMessage()));
    }
}
