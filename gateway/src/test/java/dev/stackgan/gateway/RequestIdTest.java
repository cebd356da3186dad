package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.serving.requests.GrpcTracing;
import dev.stackgan.serving.requests.RequestIds;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * x-request-id on the real stack (tracing off, as by default): a request's id, the client's or a new one, reaches
 * the access line of the gateway and of every stage it calls, and comes back in the HTTP header, the JSON error body
 * and the gRPC response headers; bad ids are refused naming the header and its limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestIdTest {

    private static final String PROMPT = "a small bird with a red crown";
    private static final String ENCODE = "grpc stackgan.v1.TextEncoderService/Encode OK";
    private static final String GENERATE = "grpc stackgan.v1.Stage1Service/Generate OK";
    private static final String REFINE = "grpc stackgan.v1.Stage2Service/Refine OK";

    @TempDir
    static Path repository;
    private ServingStack stack;
    private AccessLines access;

    @BeforeAll
    void start() throws IOException {
        ServingStack.promotedV1(repository);
        stack = new ServingStack(repository, Map.of());
        access = AccessLines.attach();
    }

    @AfterAll
    void stop() throws Exception {
        access.close();
        stack.close();
    }

    @Test
    void theClientsIdReachesEveryStageAndComesBack() {
        HttpJson.Reply reply = HttpJson.send(HttpJson.postImages(stack.http(), Map.of("prompt", PROMPT, "seed", 3))
                .header(RequestIds.HEADER, "client-req:42"));
        assertEquals(200, reply.status(), String.valueOf(reply.body()));
        assertEquals("client-req:42", reply.header(RequestIds.HEADER));
        // one line per call in each service, the stages' first: each answers before the gateway does
        assertEquals(List.of(ENCODE, GENERATE, REFINE, "http POST /v1/images 200"), access.calls("client-req:42"));
        assertTrue(access.of("client-req:42").stream().allMatch(line -> line.traceId() == null),
                "no trace id while tracing is off");
        assertFalse(stack.gatewayBean(ApplicationContext.class).containsBean(GrpcTracing.class),
                "tracing is off by default: no OpenTelemetry, no gRPC tracing");
    }

    @Test
    void aRequestWithoutAnIdGetsOneThatEveryStageShares() {
        HttpJson.Reply reply = HttpJson.post(stack.http(), Map.of("prompt", PROMPT, "seed", 4, "stage", 1));
        assertEquals(200, reply.status());
        String id = reply.header(RequestIds.HEADER);
        assertEquals(id, UUID.fromString(id).toString());
        assertEquals(List.of(ENCODE, GENERATE, "http POST /v1/images 200"), access.calls(id));
    }

    @Test
    void errorBodiesNameTheRequestId() {
        HttpJson.Reply tooMany = HttpJson.send(HttpJson.postImages(stack.http(), Map.of("prompt", PROMPT, "n", 9))
                .header(RequestIds.HEADER, "too-many-1"));
        assertEquals(400, tooMany.status());
        assertEquals("too-many-1", tooMany.body().get("error").get("request_id").asText(), tooMany.body().toString());
        assertEquals("too-many-1", tooMany.header(RequestIds.HEADER));
        assertEquals(List.of("http POST /v1/images 400"), access.calls("too-many-1"), "refused before any stage");

        // refused by the text encoder: the stage saw the id too
        HttpJson.Reply unknown = HttpJson.send(HttpJson.postImages(stack.http(),
                Map.of("prompt", PROMPT, "model_version", "not-loaded")).header(RequestIds.HEADER, "unknown-v-1"));
        assertEquals(409, unknown.status());
        assertEquals("unknown-v-1", unknown.body().get("error").get("request_id").asText());
        assertEquals(List.of("grpc stackgan.v1.TextEncoderService/Encode FAILED_PRECONDITION",
                "http POST /v1/images 409"), access.calls("unknown-v-1"));

        // an error Micronaut answers itself (malformed JSON) has it as well
        HttpJson.Reply malformed = HttpJson.send(HttpRequest.newBuilder(stack.http().resolve("/v1/images"))
                .header("Content-Type", "application/json").header(RequestIds.HEADER, "malformed-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": ")));
        assertEquals(400, malformed.status());
        assertEquals("malformed-1", malformed.body().get("error").get("request_id").asText());
    }

    @Test
    void badIdsAreRefusedNamingTheHeaderAndItsLimit() {
        String tooLong = "a".repeat(RequestIds.MAX_LENGTH + 1);
        HttpJson.Reply reply = HttpJson.send(HttpJson.postImages(stack.http(), Map.of("prompt", PROMPT))
                .header(RequestIds.HEADER, tooLong));
        assertEquals(400, reply.status());
        assertEquals("x-request-id", reply.body().get("error").get("field").asText());
        String message = reply.body().get("error").get("message").asText();
        assertEquals("x-request-id must be 1 to 128 characters, each a letter, a digit or one of - _ . : / + =; "
                + "it has 129", message);
        // answered under a new id, which names the refusal in the log
        String issued = reply.header(RequestIds.HEADER);
        assertEquals(issued, reply.body().get("error").get("request_id").asText());
        assertEquals(List.of("http POST /v1/images 400"), access.calls(issued));
        assertTrue(access.of(tooLong).isEmpty());

        HttpJson.Reply space = HttpJson.send(HttpJson.postImages(stack.http(), Map.of("prompt", PROMPT))
                .header(RequestIds.HEADER, "has space"));
        assertEquals(400, space.status());
        assertTrue(space.body().get("error").get("message").asText().endsWith("; character 4 is not"),
                space.body().toString());

        Metadata headers = new Metadata();
        headers.put(RequestIds.METADATA, "x".repeat(200));
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> gateway(headers, null)
                .generate(GenerateRequest.newBuilder().setPrompt(PROMPT).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().startsWith("x-request-id must be 1 to 128 characters"),
                refused.getStatus().getDescription());
        String grpcIssued = Status.trailersFromThrowable(refused).get(RequestIds.METADATA);
        assertEquals(List.of("grpc stackgan.v1.GatewayService/Generate INVALID_ARGUMENT"), access.calls(grpcIssued));
    }

    @Test
    void theGrpcApiTakesAndAnswersTheId() {
        Metadata headers = new Metadata();
        headers.put(RequestIds.METADATA, "grpc-7");
        AtomicReference<Metadata> answered = new AtomicReference<>();
        assertEquals(1, gateway(headers, answered).generate(GenerateRequest.newBuilder().setPrompt(PROMPT)
                .setSeed(1).setFinalStage(Stage.STAGE_1).build()).getImagesCount());
        assertEquals("grpc-7", answered.get().get(RequestIds.METADATA));
        assertEquals(List.of(ENCODE, GENERATE, "grpc stackgan.v1.GatewayService/Generate OK"),
                access.calls("grpc-7"));
    }

    @Test
    void theStreamCarriesTheIdToItsOwnThread() {
        HttpJson.Reply reply = HttpJson.send(HttpRequest.newBuilder(stack.http().resolve(
                "/v1/images/stream?prompt=a+bird&seed=5")).header(RequestIds.HEADER, "stream-5").GET());
        assertEquals(200, reply.status());
        assertEquals("stream-5", reply.header(RequestIds.HEADER));
        assertEquals(List.of(ENCODE, GENERATE, REFINE, "http GET /v1/images/stream 200"),
                access.calls("stream-5"));
    }

    @Test
    void probesGetAnIdButNoInfoLine() {
        HttpJson.Reply reply = HttpJson.send(HttpRequest.newBuilder(stack.http().resolve("/health/readiness"))
                .header(RequestIds.HEADER, "probe-1").GET());
        assertEquals(200, reply.status());
        assertEquals("probe-1", reply.header(RequestIds.HEADER));
        // the gateway's line and the stages' model-info calls behind readiness are probes: DEBUG lines
        assertEquals(List.of(), access.calls("probe-1"));
    }

    /** The gateway's gRPC API sending {@code headers}, keeping the response headers in {@code answered}. */
    private GatewayServiceGrpc.GatewayServiceBlockingStub gateway(Metadata headers, AtomicReference<Metadata> answered) {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        return GatewayServiceGrpc.newBlockingStub(stack.channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers),
                        MetadataUtils.newCaptureMetadataInterceptor(answered == null ? new AtomicReference<>()
                                : answered, trailers));
    }
}
