package dev.stackgan.gateway.http;

import dev.stackgan.gateway.ClientRateLimiter;
import dev.stackgan.gateway.GatewayMetrics;
import dev.stackgan.serving.warmup.WarmUpCalls;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;

/**
 * The rate limit on the HTTP API ({@code /v1/...}; the page, health and metrics are not limited): a request over its
 * client's limit is answered 429 with the JSON error body and a Retry-After header before it reaches a controller.
 * After the request id and metrics filters, whose work on the answer it does itself (see {@link #limit}).
 */
@ServerFilter("/v1/**")
public class RateLimitFilter implements Ordered {

    private final ClientRateLimiter limiter;
    private final GatewayExceptionHandler refused;
    private final RequestIdFilter requestIds;
    private final HttpMetricsFilter httpMetrics;

    public RateLimitFilter(ClientRateLimiter limiter, GatewayExceptionHandler refused, RequestIdFilter requestIds,
                           HttpMetricsFilter httpMetrics) {
        this.limiter = limiter;
        this.refused = refused;
        this.requestIds = requestIds;
        this.httpMetrics = httpMetrics;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ErrorBody> limit(HttpRequest<?> request) {
        if (!limiter.enabled() || WarmUpCalls.marked(request.getHeaders())) {
            return null;
        }
        long retryAfter = limiter.acquire(ClientRateLimiter.client(request.getRemoteAddress()));
        if (retryAfter == 0) {
            return null;
        }
        HttpMetricsFilter.rejectedFor(request, GatewayMetrics.RATE_LIMITED);
        MutableHttpResponse<ErrorBody> refusal = refused.handle(request, limiter.refusal(retryAfter))
                .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        // an answer from a request filter passes no response filter (GatewayRateLimitTest saw it uncounted): the
        // request id's header and access line and the metrics are added here
        requestIds.answer(request, refusal);
        httpMetrics.end(request, refusal);
        return refusal;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.before();
    }
}
