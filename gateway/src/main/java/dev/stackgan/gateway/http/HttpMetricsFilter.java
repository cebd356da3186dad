package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayMetrics;
import dev.stackgan.serving.warmup.WarmUpCalls;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Measures every request of the HTTP API ({@code /v1/...}) as it is answered, including the errors Micronaut and
 * the exception handlers answer: they all carry an {@link ErrorBody}, whose code and field name the rejection.
 */
@ServerFilter("/v1/**")
public class HttpMetricsFilter {

    private static final String START = HttpMetricsFilter.class.getName() + ".start";
    private static final String REASON = HttpMetricsFilter.class.getName() + ".reason";

    private final GatewayMetrics metrics;

    public HttpMetricsFilter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @RequestFilter
    public void start(HttpRequest<?> request) {
        request.setAttribute(START, System.nanoTime());
    }

    @ResponseFilter
    public void end(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (WarmUpCalls.marked(request.getHeaders())) {
            return; // the gateway's own warm-up (GatewayWarmUp) is no user's request
        }
        long start = request.getAttribute(START, Long.class).orElseGet(System::nanoTime);
        int status = response.code();
        metrics.requestEnded(GatewayMetrics.HTTP, Integer.toString(status), status, System.nanoTime() - start);
        if (response.body() instanceof ErrorBody body) {
            metrics.rejected(GatewayMetrics.HTTP, body.error().code(), body.error().field(),
                    request.getAttribute(REASON, String.class).orElse(null));
        }
    }

    /** Names the rejection reason of a refusal whose code alone does not say it ({@link GatewayMetrics#rejected}). */
    static void rejectedFor(HttpRequest<?> request, String reason) {
        request.setAttribute(REASON, reason);
    }
}
