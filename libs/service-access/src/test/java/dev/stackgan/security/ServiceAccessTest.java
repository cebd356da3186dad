package dev.stackgan.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.TestCertificates;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access policy on a real Micronaut service (gRPC and HTTP on free ports): tokens on gRPC management calls and
 * on {@link Guarded} HTTP routes, and the gRPC port's TLS and mutual TLS from certificates made for the test.
 */
class ServiceAccessTest {

    static final String ENV = "service-access-test";

    @TempDir
    Path dir;

    /** A model service's management API in miniature: reload is management, model info is open. */
    @Singleton
    @Requires(env = ENV)
    static class Management extends ModelManagementServiceGrpc.ModelManagementServiceImplBase {
        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
            observer.onNext(ModelInfo.newBuilder().setService("info").build());
            observer.onCompleted();
        }

        @Override
        public void reloadModel(ReloadModelRequest request, StreamObserver<ModelInfo> observer) {
            observer.onNext(ModelInfo.newBuilder().setService("reloaded").build());
            observer.onCompleted();
        }
    }

    @Requires(env = ENV)
    @Controller("/actions")
    @Guarded(Scope.MANAGEMENT)
    static class Actions {
        @Post("/reload")
        String reload() {
            return "reloaded";
        }
    }

    @Requires(env = ENV)
    @Controller("/images")
    static class Images {
        @Get
        @Guarded(Scope.API)
        String image() {
            return "image";
        }

        @Get("/count")
        String count() {
            return "1";
        }
    }

    /** As each service renders a refusal: its JSON error body with the gRPC code's name. */
    @Produces
    @Singleton
    @Requires(env = ENV)
    static class Refusals implements ExceptionHandler<AccessRefusedException, HttpResponse<String>> {
        @Override
        public HttpResponse<String> handle(HttpRequest request, AccessRefusedException e) {
            return HttpResponse.<String>status(io.micronaut.http.HttpStatus.valueOf(e.refusal().httpStatus()))
                    .body("{\"error\":{\"code\":\"" + e.refusal().code() + "\"}}");
        }
    }

    private static ApplicationContext start(Map<String, Object> settings) {
        Map<String, Object> properties = new HashMap<>(settings);
        properties.put("grpc.server.port", 0);
        properties.put("micronaut.server.port", -1);
        return ApplicationContext.run(EmbeddedServer.class, properties, ENV).getApplicationContext();
    }

    private static int grpcPort(ApplicationContext context) {
        return context.getBean(GrpcEmbeddedServer.class).getPort();
    }

    @Test
    void managementCallsNeedTheTokenOverGrpcAndHttp() throws Exception {
        try (ApplicationContext service = start(Map.of(
                "stackgan.access.management-token", AccessPolicyTest.MANAGEMENT,
                "stackgan.access.api-token", AccessPolicyTest.API))) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", grpcPort(service),
                    InsecureChannelCredentials.create()).build();
            try {
                ModelManagementServiceGrpc.ModelManagementServiceBlockingStub stub =
                        ModelManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                assertEquals("info", stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getService());
                assertCode(Status.Code.UNAUTHENTICATED, "management calls need an 'authorization: Bearer <token>'"
                        + " header", () -> stub.reloadModel(ReloadModelRequest.getDefaultInstance()));
                assertCode(Status.Code.PERMISSION_DENIED, "the API token does not allow management calls",
                        () -> stub.withInterceptors(BearerToken.attach(AccessPolicyTest.API))
                                .reloadModel(ReloadModelRequest.getDefaultInstance()));
                assertEquals("reloaded", stub.withInterceptors(BearerToken.attach(AccessPolicyTest.MANAGEMENT))
                        .reloadModel(ReloadModelRequest.getDefaultInstance()).getService());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            URI http = service.getBean(EmbeddedServer.class).getURI();
            java.net.http.HttpResponse<String> missing = send(http, "POST", "/actions/reload", null);
            assertEquals(401, missing.statusCode());
            assertEquals("{\"error\":{\"code\":\"UNAUTHENTICATED\"}}", missing.body());
            assertEquals("Bearer realm=\"stackgan\"", missing.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(403, send(http, "POST", "/actions/reload", "Bearer wrong-token-0123456789abcdef")
                    .statusCode());
            assertEquals(200, send(http, "POST", "/actions/reload", "Bearer " + AccessPolicyTest.MANAGEMENT)
                    .statusCode());
            assertEquals(401, send(http, "GET", "/images", null).statusCode());
            assertEquals(200, send(http, "GET", "/images", "Bearer " + AccessPolicyTest.API).statusCode());
            assertEquals(200, send(http, "GET", "/images/count", null).statusCode(), "a route without @Guarded");
            assertEquals(404, send(http, "GET", "//images", null).statusCode(), "another spelling reaches no route");

            MeterRegistry registry = service.getBean(MeterRegistry.class);
            assertEquals(1, registry.counter("stackgan.access.refusals", "scope", "management", "reason",
                    "missing_token", "protocol", "grpc").count());
            assertEquals(1, registry.counter("stackgan.access.refusals", "scope", "management", "reason",
                    "wrong_token", "protocol", "http").count());
            assertEquals(1, registry.counter("stackgan.access.refusals", "scope", "api", "reason",
                    "missing_token", "protocol", "http").count());
        }
    }

    @Test
    void theGrpcPortServesTlsAndMutualTls() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir);
        try (ApplicationContext service = start(Map.of(
                "stackgan.tls.cert-chain-file", certs.serverChain().toString(),
                "stackgan.tls.private-key-file", certs.serverKey().toString(),
                "stackgan.tls.client-ca-file", certs.caCert().toString()))) {
            int port = grpcPort(service);
            assertEquals("info", modelInfo(port, TlsChannelCredentials.newBuilder()
                    .trustManager(certs.caCert().toFile()).keyManager(certs.clientChain().toFile(), certs.clientKey().toFile()).build()));
            assertCode(Status.Code.UNAVAILABLE, null, () -> modelInfo(port, TlsChannelCredentials.newBuilder()
                    .trustManager(certs.caCert().toFile()).build()));
            assertCode(Status.Code.UNAVAILABLE, null, () -> modelInfo(port, InsecureChannelCredentials.create()));
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedAtStartup() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir);
        Exception e = assertThrows(Exception.class, () -> start(Map.of(
                "stackgan.tls.cert-chain-file", certs.serverChain().toString())));
        assertTrue(messages(e).contains("stackgan.tls.cert-chain-file and stackgan.tls.private-key-file go together"),
                messages(e));
        Exception missing = assertThrows(Exception.class, () -> start(Map.of(
                "stackgan.tls.cert-chain-file", dir.resolve("absent.pem").toString(),
                "stackgan.tls.private-key-file", certs.serverKey().toString())));
        assertTrue(messages(missing).contains("stackgan.tls.cert-chain-file: " + dir.resolve("absent.pem")
                + " is not a readable file"), messages(missing));
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static String modelInfo(int port, ChannelCredentials credentials) throws InterruptedException {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
        try {
            return ModelManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getModelInfo(GetModelInfoRequest.getDefaultInstance()).getService();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static java.net.http.HttpResponse<String> send(URI base, String method, String path,
                                                           String authorization) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        URI.create("http://localhost:" + base.getPort() + path))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void assertCode(Status.Code code, String description, Call call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        if (description != null) {
            assertEquals(description, e.getStatus().getDescription());
        }
    }
}
