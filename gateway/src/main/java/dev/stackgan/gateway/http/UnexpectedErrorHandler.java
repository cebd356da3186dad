package dev.stackgan.gateway.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anything no more specific handler took: logged here with its stack trace, answered with a 500 JSON body that
 * names no internals. Micronaut's own handlers for malformed JSON, bad parameters etc. are more specific and win.
 */
@Produces
@Singleton
@Requires(classes = {Exception.class, ExceptionHandler.class})
public class UnexpectedErrorHandler implements ExceptionHandler<Exception, HttpResponse<ErrorBody>> {

    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrorHandler.class);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, Exception e) {
        LOG.error("unexpected failure of {} {}", request.getMethod(), request.getPath(), e);
        return HttpResponse.<ErrorBody>status(HttpStatus.INTERNAL_SERVER_ERROR).body(ErrorBody.of("INTERNAL", 500,
                "unexpected gateway error (" + e.getClass().getSimpleName() + "); see the gateway log", null,
                RequestIdFilter.id(request)));
    }
}
