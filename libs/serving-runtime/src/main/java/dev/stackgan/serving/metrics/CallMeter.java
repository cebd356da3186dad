package dev.stackgan.serving.metrics;

import dev.stackgan.serving.warmup.WarmUpCalls;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import java.util.Set;

/**
 * Reports each call of some gRPC services as it closes: its method, status and duration. A server interceptor, so the
 * endpoints stay free of metrics code and every way a call ends (answer, error, deadline) is seen in one place.
 * Calls of other services on the same server (health, reflection, model management) and the calls a service sends
 * itself while it warms up ({@link WarmUpCalls}) pass through unmeasured.
 */
public abstract class CallMeter implements ServerInterceptor, Ordered {

    /**
     * Outside the request id, access and rate-limit interceptors (100, 200), so their refusals are counted too; inside
     * tracing (-100). Micronaut runs an interceptor without an order innermost, where those refusals never reach it.
     */
    public static final int ORDER = 0;

    private final Set<String> serviceNames;

    /** @param serviceNames the full names of the services measured, e.g. {@code stackgan.v1.Stage1Service} */
    protected CallMeter(String... serviceNames) {
        this.serviceNames = Set.of(serviceNames);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** A call of the service ended with {@code status} after {@code nanos}; {@code trailers} as sent. */
    protected abstract void closed(String method, Status status, Metadata trailers, long nanos);

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        if (!serviceNames.contains(call.getMethodDescriptor().getServiceName()) || WarmUpCalls.marked(headers)) {
            return next.startCall(call, headers);
        }
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                closed(method, status, trailers, System.nanoTime() - start);
                super.close(status, trailers);
            }
        }, headers);
    }
}
