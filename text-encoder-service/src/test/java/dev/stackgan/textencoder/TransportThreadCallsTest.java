package dev.stackgan.textencoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.testing.ServiceHarness;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stackgan.serving.transport-thread-calls: Encode runs on the transport thread that read it, not on an IO executor
 * thread, unless switched off; ReloadModel, which loads bundles, still answers (it moves to the IO executor).
 */
class TransportThreadCallsTest {

    /** The thread each method's calls start on: an interceptor runs where the handler runs. */
    @Singleton
    @Requires(property = "test.record-handler-threads", value = "true")
    static class HandlerThreads implements ServerInterceptor {
        final Map<String, String> byMethod = new ConcurrentHashMap<>();

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
            byMethod.put(call.getMethodDescriptor().getBareMethodName(), Thread.currentThread().getName());
            return next.startCall(call, headers);
        }
    }

    @TempDir
    Path repository;

    @Test
    void encodeRunsOnTheTransportThreadByDefaultAndOnTheIoExecutorWhenSwitchedOff() throws Exception {
        TinyBundles.exportVersions(repository);
        assertFalse(encodeThread(Map.of()).startsWith("io-executor"), "by default");
        assertTrue(encodeThread(Map.of("stackgan.serving.transport-thread-calls", false)).startsWith("io-executor"),
                "switched off");
    }

    private String encodeThread(Map<String, Object> settings) throws Exception {
        Map<String, Object> properties = new HashMap<>(settings);
        properties.put("test.record-handler-threads", true);
        try (ServiceHarness service = new ServiceHarness(repository, properties)) {
            assertEquals(TinyBundles.V1, service.promote(TinyBundles.V1).getCurrentVersion(), "ReloadModel answers");
            service.blocking(TextEncoderServiceGrpc::newBlockingStub).encode(EncodeRequest.newBuilder()
                    .addCaptions("a " + TinyBundles.knownWord(0) + " bird").build());
            String thread = service.bean(HandlerThreads.class).byMethod.get("Encode");
            System.out.println("Encode ran on " + thread + " with " + settings);
            return thread;
        }
    }
}
