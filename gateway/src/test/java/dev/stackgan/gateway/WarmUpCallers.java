package dev.stackgan.gateway;

import dev.stackgan.serving.warmup.WarmUpCalls;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the client address (host and port: one per connection) of each HTTP call the gateway sends itself while it
 * warms up, in order (only in the "test" environment).
 */
@ServerFilter("/v1/**")
@Requires(env = "test")
class WarmUpCallers {

    static final List<InetSocketAddress> CALLERS = new CopyOnWriteArrayList<>();

    @RequestFilter
    void record(HttpRequest<?> request) {
        if (WarmUpCalls.marked(request.getHeaders())) {
            CALLERS.add(request.getRemoteAddress());
        }
    }
}
