package dev.stackgan.serving.requests;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.order.Ordered;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import jakarta.inject.Singleton;

/**
 * gRPC spans when tracing is on (micronaut.otel.enabled, docs/operations.md): a server span for every call a service
 * answers and a client span, with the W3C trace context in the metadata, for every call the gateway makes on its
 * channels. Probes ({@link AccessLog#probe}) are not traced: readiness would otherwise add six spans every few
 * seconds. Without tracing Micronaut makes no {@link OpenTelemetry} bean and so none of this.
 */
@Singleton
@Requires(beans = OpenTelemetry.class)
public class GrpcTracing implements ServerInterceptor, ClientInterceptor, Ordered {

    /** Outermost: the span covers the whole call and is current when {@link RequestIdInterceptor} reads its id. */
    public static final int ORDER = -100;

    private final ServerInterceptor server;
    private final ClientInterceptor client;

    public GrpcTracing(OpenTelemetry openTelemetry) {
        GrpcTelemetry telemetry = GrpcTelemetry.create(openTelemetry);
        this.server = telemetry.newServerInterceptor();
        this.client = telemetry.newClientInterceptor();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        return AccessLog.probe(call.getMethodDescriptor()) ? next.startCall(call, headers)
                : server.interceptCall(call, headers, next);
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return AccessLog.probe(method) ? next.newCall(method, options) : client.interceptCall(method, options, next);
    }
}
