package dev.stackgan.serving.requests;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;

/**
 * The request id of every gRPC call a service answers (the gateway's API and each model service): takes the caller's
 * {@code x-request-id} metadata or makes one, refuses a bad one with INVALID_ARGUMENT naming the header and its
 * limit, answers the id in the response headers (in the trailers when the call ends without headers), runs the
 * call's work in its {@link RequestScope} and writes its {@link AccessLog} line when it ends.
 */
@Singleton
public class RequestIdInterceptor implements ServerInterceptor, Ordered {

    /** Inside the metrics interceptors (order 0), which so count a refused id, and inside the tracing one. */
    public static final int ORDER = 100;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        long start = System.nanoTime();
        String sent = headers.get(RequestIds.METADATA);
        String problem = sent == null ? null : RequestIds.problem(sent);
        RequestScope scope = RequestScope.of(sent == null || problem != null ? RequestIds.create() : sent);
        // warm-up calls log at INFO as users' calls do: writing the line is part of the path the warm-up compiles
        boolean probe = AccessLog.probe(call.getMethodDescriptor());
        ServerCall<Q, A> answer = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private volatile boolean headersSent;

            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(RequestIds.METADATA, scope.id());
                headersSent = true;
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!headersSent) {
                    trailers.put(RequestIds.METADATA, scope.id());
                }
                try (RequestScope.Entered ignored = scope.enter()) {
                    AccessLog.grpc(probe, call.getMethodDescriptor(), status, System.nanoTime() - start);
                }
                super.close(status, trailers);
            }
        };
        if (problem != null) {
            answer.close(Status.INVALID_ARGUMENT.withDescription(problem), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall.Listener<Q> listener;
        try (RequestScope.Entered ignored = scope.enter()) {
            listener = next.startCall(answer, headers);
        }
        return new Scoped<>(listener, scope);
    }

    /**
     * Runs the events the endpoints act on (a message, the half-close that runs a unary method, a cancellation) in
     * the call's scope: their work logs the id and forwards it.
     */
    private static final class Scoped<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final RequestScope scope;

        Scoped(ServerCall.Listener<Q> listener, RequestScope scope) {
            super(listener);
            this.scope = scope;
        }

        private void in(Runnable event) {
            try (RequestScope.Entered ignored = scope.enter()) {
                event.run();
            }
        }

        @Override
        public void onMessage(Q message) {
            in(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            in(super::onHalfClose);
        }

        @Override
        public void onCancel() {
            in(super::onCancel);
        }
    }
}
