package dev.stackgan.serving.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Reports each call of one gRPC service as it closes: its method, status and duration. A server interceptor, so the
 * endpoints stay free of metrics code and every way a call ends (answer, error, deadline) is seen in one place.
 * Calls of other services on the same server (health, reflection, model management) pass through unmeasured.
 */
public abstract class CallMeter implements ServerInterceptor {

    private final String serviceName;

    protected CallMeter(String serviceName) {
        this.serviceName = serviceName;
    }

    /** A call of the service ended with {@code status} after {@code nanos}; {@code trailers} as sent. */
    protected abstract void closed(String method, Status status, Metadata trailers, long nanos);

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        if (!serviceName.equals(call.getMethodDescriptor().getServiceName())) {
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
