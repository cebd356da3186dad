package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.TestCertificates;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GenerateResponse;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.security.BearerToken;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end with tokens on (docs/operations.md, "TLS"): the gateway serves gRPC and HTTP over TLS, and calls
 * the model services over mutual TLS with its client certificate; reload through the gateway passes its management
 * token on. A client that trusts the test CA gets an image; a plaintext one, or one without the tokens, is refused.
 */
class GatewayTlsTest {

    private static final String MANAGEMENT = "management-token-0123456789abcdef";
    private static final String API = "api-token-0123456789abcdef";
    private static final String PROMPT = "a small bird with a red crown and white belly";

    @TempDir
    Path repository;
    @TempDir
    Path certificates;

    @Test
    void aClientTrustingTheCaGetsAnImageOverTlsAndPlaintextIsRefused() throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        TestCertificates certs = TestCertificates.generate(certificates);
        Map<String, Object> service = Map.of(
                "stackgan.tls.cert-chain-file", certs.serverChain().toString(),
                "stackgan.tls.private-key-file", certs.serverKey().toString(),
                "stackgan.tls.client-ca-file", certs.caCert().toString(),
                "stackgan.access.management-token", MANAGEMENT);
        Map<String, Object> gateway = new HashMap<>(Map.of(
                "stackgan.tls.cert-chain-file", certs.serverChain().toString(),
                "stackgan.tls.private-key-file", certs.serverKey().toString(),
                "micronaut.server.ssl.enabled", true,
                "micronaut.server.ssl.port", -1,
                "micronaut.server.ssl.key-store.key-path", "file:" + certs.serverKey(),
                "micronaut.server.ssl.key-store.certificate-path", "file:" + certs.serverChain(),
                "stackgan.gateway.model-services-ca-file", certs.caCert().toString(),
                "stackgan.gateway.model-services-cert-chain-file", certs.clientChain().toString(),
                "stackgan.gateway.model-services-private-key-file", certs.clientKey().toString(),
                "stackgan.access.management-token", MANAGEMENT));
        gateway.put("stackgan.access.api-token", API);
        try (ServingStack stack = new ServingStack(repository, gateway, Map.of(ServingStack.TEXT_ENCODER, service,
                ServingStack.STAGE1, service, ServingStack.STAGE2, service))) {
            int port = stack.gatewayBean(GrpcEmbeddedServer.class).getPort();
            ChannelCredentials trusting = TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile())
                    .build();
            ModelRepository.promote(repository, TinyBundles.V1);

            ModelInfo reloaded = call(port, trusting, channel -> ModelManagementServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(BearerToken.attach(MANAGEMENT))
                    .reloadModel(ReloadModelRequest.getDefaultInstance()));
            assertEquals(TinyBundles.V1, reloaded.getCurrentVersion(), "reloaded over mutual TLS, token passed on");

            GenerateRequest request = GenerateRequest.newBuilder().setPrompt(PROMPT).setNumImages(1).setSeed(3).build();
            GenerateResponse answer = call(port, trusting, channel -> GatewayServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(BearerToken.attach(API)).generate(request));
            assertEquals(1, answer.getImagesCount());
            assertTrue(answer.getImages(0).getPng().size() > 0);

            assertCode(Status.Code.UNAUTHENTICATED, () -> call(port, trusting,
                    channel -> GatewayServiceGrpc.newBlockingStub(channel).generate(request)));
            assertCode(Status.Code.PERMISSION_DENIED, () -> call(port, trusting,
                    channel -> ModelManagementServiceGrpc.newBlockingStub(channel)
                            .withInterceptors(BearerToken.attach(API))
                            .reloadModel(ReloadModelRequest.getDefaultInstance())));
            assertCode(Status.Code.UNAVAILABLE, () -> call(port, InsecureChannelCredentials.create(),
                    channel -> GatewayServiceGrpc.newBlockingStub(channel).withInterceptors(BearerToken.attach(API))
                            .generate(request)));
            assertCode(Status.Code.UNAVAILABLE, () -> call(stack.servicePort(ServingStack.STAGE1), trusting,
                    channel -> ModelManagementServiceGrpc.newBlockingStub(channel).getModelInfo(
                            GetModelInfoRequest.getDefaultInstance())));

            URI https = stack.http();
            assertEquals("https", https.getScheme());
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certs.caCert()))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<byte[]> png = client.send(HttpRequest.newBuilder(https.resolve(
                    "/v1/images.png?prompt=a+small+bird&seed=3")).header("Authorization", BearerToken.header(API))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, png.statusCode());
            assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(https.resolve(
                    "/v1/images.png?prompt=a+small+bird")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            assertTrue(refused.body().contains("\"code\":\"UNAUTHENTICATED\""), refused.body());
            URI plain = URI.create("http://localhost:" + https.getPort() + "/v1/images.png?prompt=a+small+bird");
            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain)
                    .header("Authorization", BearerToken.header(API)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()), "plaintext HTTP on the TLS port");
        }
    }

    private static <T> T call(int port, ChannelCredentials credentials, Function<ManagedChannel, T> call)
            throws InterruptedException {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, credentials)
                .maxInboundMessageSize(GrpcClients.MAX_MESSAGE_BYTES).build();
        try {
            return call.apply(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertCode(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    }

    private static SSLContext trusting(Path caCert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
