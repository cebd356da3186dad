package dev.stackgan.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;

/** {@link AccessPolicy} on every gRPC call a service answers: a refused call ends before its endpoint sees it. */
@Singleton
public class AccessInterceptor implements ServerInterceptor, Ordered {

    /**
     * Inside serving-runtime's request id interceptor (100) and the metrics (0): a refusal is answered with its
     * request id, logged and counted like any other call.
     */
    public static final int ORDER = 200;

    private final AccessPolicy policy;

    public AccessInterceptor(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        Refusal refusal = policy.check(Scope.ofGrpc(call.getMethodDescriptor().getFullMethodName()),
                headers.get(BearerToken.METADATA), "grpc");
        if (refusal == null) {
            return next.startCall(call, headers);
        }
        call.close(refusal.status(), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
