package dev.stackgan.gateway;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** A route that fails unexpectedly, to see what a client gets from a bug (only in the "test" environment). */
@Controller("/test/failing")
@Requires(env = "test")
class FailingController {

    static final String SECRET = "internal detail that must not leak";

    @Get
    String fail() {
        throw new IllegalStateException(SECRET);
    }
}
