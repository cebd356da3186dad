package dev.stackgan.security;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;

/**
 * {@code WWW-Authenticate: Bearer} on every 401 (RFC 6750). Its own filter, outside {@link AccessFilter}: a filter
 * whose request part threw gets no response part, an outer one does.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class BearerChallenge implements Ordered {

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.before();
    }

    @ResponseFilter
    public void challenge(MutableHttpResponse<?> response) {
        if (response.code() == 401) {
            response.header("WWW-Authenticate", "Bearer realm=\"stackgan\"");
        }
    }
}
