package dev.stackgan.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@link Scope} of an HTTP controller's routes, checked by {@link AccessFilter} on the route Micronaut matched
 * (not on the raw path, which a client can spell many ways). Routes without it are open.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Guarded {
    Scope value();
}
