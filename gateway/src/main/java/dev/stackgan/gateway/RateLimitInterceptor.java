package dev.stackgan.gateway;

import dev.stackgan.serving.requests.RequestIdInterceptor;
import dev.stackgan.serving.warmup.WarmUpCalls;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;

/**
 * The rate limit on the gateway's gRPC port: a call over its client's limit is closed with RESOURCE_EXHAUSTED and
 * the {@code retry-after} trailer (whole seconds) before it reaches an endpoint. Health checks and reflection are not
 * limited: probes must not be refused for a client's traffic.
 */
@Singleton
public class RateLimitInterceptor implements ServerInterceptor, Ordered {

    public static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after",
            Metadata.ASCII_STRING_MARSHALLER);

    private final ClientRateLimiter limiter;

    public RateLimitInterceptor(ClientRateLimiter limiter) {
        this.limiter = limiter;
    }

    /** Inside the request id interceptor, so that a refusal has its id and access line, and inside the metrics. */
    @Override
    public int getOrder() {
        return RequestIdInterceptor.ORDER + 100;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        if (!limiter.enabled() || call.getMethodDescriptor().getServiceName().startsWith("grpc.")
                || WarmUpCalls.marked(headers)) {
            return next.startCall(call, headers);
        }
        long retryAfter = limiter.acquire(ClientRateLimiter.client(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
        if (retryAfter == 0) {
            return next.startCall(call, headers);
        }
        GatewayException refusal = limiter.refusal(retryAfter);
        Metadata trailers = new Metadata();
        trailers.put(RETRY_AFTER, Long.toString(retryAfter));
        trailers.put(GatewayMetrics.REASON, GatewayMetrics.RATE_LIMITED);
        call.close(refusal.toStatus().getStatus(), trailers);
        return new ServerCall.Listener<>() {
        };
    }
}
