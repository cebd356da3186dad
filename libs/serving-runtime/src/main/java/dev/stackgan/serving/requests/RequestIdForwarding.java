package dev.stackgan.serving.requests;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import jakarta.inject.Singleton;

/**
 * Carries the request id of the current {@link RequestScope} on every call made on a channel it intercepts (the
 * gateway's channels to the model services), so that each stage logs and answers the gateway's id.
 */
@Singleton
public class RequestIdForwarding implements ClientInterceptor {

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        String id = RequestIds.current();
        if (id == null) {
            return next.newCall(method, options);
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
                headers.put(RequestIds.METADATA, id);
                super.start(listener, headers);
            }
        };
    }
}
