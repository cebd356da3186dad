package dev.stackgan.security;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.RouteAttributes;

/**
 * {@link AccessPolicy} on every HTTP request, by the {@link Guarded} scope of the route it matched. A refusal is
 * thrown as {@link AccessRefusedException} for the service's exception handler to answer in its JSON error body;
 * {@link BearerChallenge} adds the challenge to a 401.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class AccessFilter implements Ordered {

    private final AccessPolicy policy;

    public AccessFilter(AccessPolicy policy) {
        this.policy = policy;
    }

    /** After the gateway's request id filter (tracing phase), so a refusal carries the request's id. */
    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.order();
    }

    @RequestFilter
    public void check(HttpRequest<?> request) {
        Scope scope = RouteAttributes.getRouteMatch(request)
                .flatMap(match -> match.getAnnotationMetadata().enumValue(Guarded.class, Scope.class))
                .orElse(Scope.OPEN);
        Refusal refusal = policy.check(scope, request.getHeaders().get(BearerToken.HEADER), "http");
        if (refusal != null) {
            throw new AccessRefusedException(refusal);
        }
    }
}
