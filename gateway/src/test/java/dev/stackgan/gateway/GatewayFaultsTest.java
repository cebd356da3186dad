package dev.stackgan.gateway;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GenerateResponse;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and faults, each over HTTP (status + JSON error body) and gRPC (status + message) where both exist.
 * Unknown words are not an error: like the text encoder, the gateway generates and reports them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayFaultsTest {

    private static final int MAX_CONCURRENT = 2;

    @TempDir
    static Path repository;
    private ServingStack stack;
    private GatewayServiceGrpc.GatewayServiceBlockingStub grpc;

    @BeforeAll
    void start() throws Exception {
        ServingStack.promotedV1(repository);
        stack = new ServingStack(repository, Map.of(
                "stackgan.gateway.max-concurrent-requests", MAX_CONCURRENT,
                "stackgan.gateway.request-timeout", "20s"));
        grpc = GatewayServiceGrpc.newBlockingStub(stack.channel());
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void emptyOrWhitespacePrompt() {
        for (String prompt : List.of("", "  \t\n ")) {
            assertError(400, "INVALID_ARGUMENT", "prompt", "empty or only whitespace", Map.of("prompt", prompt));
            assertStatus(Status.Code.INVALID_ARGUMENT, "prompt is empty or only whitespace",
                    () -> generate(GenerateRequest.newBuilder().setPrompt(prompt)));
        }
        assertError(400, "INVALID_ARGUMENT", "prompt", "prompt is required", Map.of("n", 1));
    }

    @Test
    void promptOverTheLengthLimit() {
        String prompt = "bird ".repeat(200) + "x";
        assertError(400, "INVALID_ARGUMENT", "prompt", "1001 characters, at most 1000", Map.of("prompt", prompt));
        assertStatus(Status.Code.INVALID_ARGUMENT, "at most 1000",
                () -> generate(GenerateRequest.newBuilder().setPrompt(prompt)));
    }

    @Test
    void promptWithNoKnownWordIsGeneratedAndItsUnknownWordsReported() {
        HttpJson.Reply reply = HttpJson.post(stack.http(), Map.of("prompt", "zorblax quuxified", "seed", 3));
        assertEquals(200, reply.status(), String.valueOf(reply.body()));
        assertEquals(List.of("zorblax", "quuxified"), words(reply.body().get("unknown_words")));
        assertEquals(1, reply.body().get("images").size());
        GenerateResponse response = generate(GenerateRequest.newBuilder().setPrompt("zorblax quuxified"));
        assertEquals(List.of("zorblax", "quuxified"), response.getUnknownWordsList());
    }

    @Test
    void numberOfImagesOutOfRange() {
        for (int n : new int[] {0, -1, 9}) {
            assertError(400, "INVALID_ARGUMENT", "n", "must be 1 to 8", Map.of("prompt", "a bird", "n", n));
        }
        assertStatus(Status.Code.INVALID_ARGUMENT, "num_images) is 9, must be 1 to 8",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setNumImages(9)));
    }

    @Test
    void seedOutOfRange() {
        assertError(400, "INVALID_ARGUMENT", "seed", "seed is -1; seeds must be 0 to " + Seeds.MAX_SEED,
                Map.of("prompt", "a bird", "seed", -1));
        // the last image's seed, seed + n - 1, must be valid too
        assertError(400, "INVALID_ARGUMENT", "seed", "seed + 1",
                Map.of("prompt", "a bird", "seed", Seeds.MAX_SEED, "n", 2));
        assertStatus(Status.Code.INVALID_ARGUMENT, "seed is 18446744073709551615",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setSeed(-1L)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "seed + 1",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setSeed(Seeds.MAX_SEED)
                        .setNumImages(2)));
    }

    @Test
    void stageOutOfRange() {
        assertError(400, "INVALID_ARGUMENT", "stage", "must be 1 or 2", Map.of("prompt", "a bird", "stage", 3));
        assertStatus(Status.Code.INVALID_ARGUMENT, "final_stage is 7",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setFinalStageValue(7)));
    }

    @Test
    void unknownModelVersion() {
        assertError(409, "FAILED_PRECONDITION", "model_version", "model_version 'no-such-bundle' is not loaded",
                Map.of("prompt", "a bird", "model_version", "no-such-bundle"));
        String message = assertStatus(Status.Code.FAILED_PRECONDITION, "text-encoder service",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setModelVersion("no-such-bundle")));
        assertTrue(message.contains(TinyBundles.V1), "names the loaded versions: " + message);
    }

    @Test
    void everyBodyFieldMustHaveItsJsonType() {
        Map<String, List<Object>> wrong = Map.of(
                "prompt", List.of(List.of("a bird"), 5, true, Map.of("text", "a bird")),
                "n", List.of("2", 1.5, List.of(2), false),
                "seed", List.of("7", true, 7.25, Map.of()),
                "stage", List.of("2", List.of(2), 1.5),
                "model_version", List.of(3, List.of(TinyBundles.V1), false));
        wrong.forEach((field, values) -> {
            for (Object value : values) {
                Map<String, Object> body = new HashMap<>(Map.of("prompt", "a bird"));
                body.put(field, value);
                assertError(400, "INVALID_ARGUMENT", field, field + " must be a", body);
            }
        });
        assertError(400, "INVALID_ARGUMENT", "n", "n is 100000000000000000000; must be 1 to 8",
                Map.of("prompt", "a bird", "n", new BigInteger("100000000000000000000")));
        assertError(400, "INVALID_ARGUMENT", "stage", "stage is 4294967298, must be 1 or 2",
                Map.of("prompt", "a bird", "stage", 4294967298L));
        for (String notAnObject : List.of("[]", "\"a bird\"", "7")) {
            HttpJson.Reply reply = HttpJson.post(stack.http(), "/v1/images", notAnObject);
            assertEquals(400, reply.status(), notAnObject);
            assertTrue(reply.body().get("error").get("message").asText().contains("must be a JSON object"));
        }
        // explicit nulls mean absent, as before
        Map<String, Object> nulls = new HashMap<>(Map.of("prompt", "a bird"));
        nulls.put("n", null);
        nulls.put("seed", null);
        nulls.put("model_version", null);
        assertEquals(200, HttpJson.post(stack.http(), nulls).status());
    }

    @Test
    void modelVersionIsABundleIdAndLongValuesAreEchoedOnlyInPart() {
        String huge = "v".repeat(10_000);
        assertError(400, "INVALID_ARGUMENT", "model_version", "10000 characters",
                Map.of("prompt", "a bird", "model_version", huge));
        assertError(400, "INVALID_ARGUMENT", "model_version", "is not a bundle id: 1 to 128 of",
                Map.of("prompt", "a bird", "model_version", "../" + TinyBundles.V1));
        // the longest valid id passes the check and reaches the text encoder, which has not loaded it
        assertError(409, "FAILED_PRECONDITION", "model_version", "is not loaded here",
                Map.of("prompt", "a bird", "model_version", "v".repeat(128)));
        // over gRPC it was INTERNAL (RST_STREAM): the text encoder's message overflowed the trailer
        String message = assertStatus(Status.Code.INVALID_ARGUMENT, "model_version 'vvv",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setModelVersion(huge)));
        assertTrue(message.length() < 400, message);
        HttpJson.Reply unknown = HttpJson.post(stack.http(), Map.of("prompt", "a bird", "x".repeat(10_000), 1));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().toString().length() < 1000, unknown.body().toString());
        assertTrue(unknown.body().get("error").get("message").asText().contains("10000 characters"));
    }

    @Test
    void malformedRequestsAre400WithTheErrorShape() {
        HttpJson.Reply broken = HttpJson.post(stack.http(), "/v1/images", "{\"prompt\": \"a bird\", ");
        assertEquals(400, broken.status());
        assertEquals("INVALID_ARGUMENT", broken.body().get("error").get("code").asText());
        HttpJson.Reply wrongType = HttpJson.post(stack.http(), "/v1/images", "{\"prompt\": \"a bird\", \"n\": \"many\"}");
        assertEquals(400, wrongType.status());
        HttpJson.Reply unknown = HttpJson.post(stack.http(), "/v1/images", "{\"prompt\": \"a bird\", \"num_images\": 2}");
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().get("error").get("message").asText().contains("num_images"),
                unknown.body().toString());
        HttpJson.Reply badQuery = HttpJson.get(stack.http(), "/v1/images.png?prompt=a+bird&seed=abc");
        assertEquals(400, badQuery.status());
        assertEquals("INVALID_ARGUMENT", badQuery.body().get("error").get("code").asText());
        assertEquals("seed", badQuery.body().get("error").get("field").asText(), "named as every other error names it");
        HttpJson.Reply badStage = HttpJson.get(stack.http(), "/v1/images.png?prompt=a+bird&stage=" + "9".repeat(3000));
        assertEquals(400, badStage.status());
        assertEquals("stage", badStage.body().get("error").get("field").asText());
        assertTrue(badStage.body().toString().length() < 1000, "echoes only an excerpt: " + badStage.body());
        // unknown query parameters are ignored; a repeated one is refused (docs/serving.md)
        HttpJson.Reply extra = HttpJson.get(stack.http(),
                "/v1/images.png?prompt=a+bird&seed=5&stage=1&utm_source=mail");
        assertEquals(200, extra.status());
        assertEquals("5", extra.header("X-Seed"));
        HttpJson.Reply repeated = HttpJson.get(stack.http(), "/v1/images.png?prompt=a+bird&seed=5&seed=6&stage=1");
        assertEquals(400, repeated.status(), String.valueOf(repeated.body()));
        assertEquals("seed", repeated.body().get("error").get("field").asText(), repeated.body().toString());
        HttpJson.Reply missing = HttpJson.get(stack.http(), "/v1/nothing-here");
        assertEquals(404, missing.status());
        assertEquals("NOT_FOUND", missing.body().get("error").get("code").asText());
    }

    @Test
    void anUnexpectedErrorIsA500WithoutInternals() {
        HttpJson.Reply reply = HttpJson.get(stack.http(), "/test/failing");
        assertEquals(500, reply.status());
        JsonNode error = reply.body().get("error");
        assertEquals("INTERNAL", error.get("code").asText());
        String body = reply.body().toString();
        assertFalse(body.contains(FailingController.SECRET), body);
        assertFalse(body.contains("\tat "), body);
    }

    @Test
    void moreConcurrentRequestsThanTheGatewayAdmitsAreRefusedNotQueued() throws Exception {
        Semaphore admission = stack.gatewayBean(ImageGenerator.class).admission();
        admission.acquire(MAX_CONCURRENT);
        try {
            assertError(429, "RESOURCE_EXHAUSTED", null, "limit of 2 concurrent requests",
                    Map.of("prompt", "a bird"));
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "stackgan.gateway.max-concurrent-requests",
                    () -> generate(GenerateRequest.newBuilder().setPrompt("a bird")));
        } finally {
            admission.release(MAX_CONCURRENT);
        }
        // a burst over the limit: every request is either served or refused with 429, none fails otherwise
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpJson.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                replies.add(clients.submit(() -> HttpJson.post(stack.http(), Map.of("prompt", "a bird", "n", 8))));
            }
            for (Future<HttpJson.Reply> reply : replies) {
                int status = reply.get(60, TimeUnit.SECONDS).status();
                assertTrue(status == 200 || status == 429, "status " + status);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** Last: it stops a model service. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aModelServiceDownIs503NamingTheService() {
        stack.stop(ServingStack.STAGE2);
        assertError(503, "UNAVAILABLE", null, "stage2 service", Map.of("prompt", "a bird", "stage", 2));
        assertStatus(Status.Code.UNAVAILABLE, "stage2 service",
                () -> generate(GenerateRequest.newBuilder().setPrompt("a bird").setFinalStage(Stage.STAGE_2)));
        // the stages that are up still serve Stage-I requests
        assertEquals(200, HttpJson.post(stack.http(), Map.of("prompt", "a bird", "stage", 1)).status());
    }

    private GenerateResponse generate(GenerateRequest.Builder request) {
        return grpc.withDeadlineAfter(30, TimeUnit.SECONDS).generate(request.build());
    }

    private void assertError(int status, String code, String field, String messagePart, Map<String, Object> body) {
        HttpJson.Reply reply = HttpJson.post(stack.http(), new HashMap<>(body));
        assertEquals(status, reply.status(), String.valueOf(reply.body()));
        JsonNode error = reply.body().get("error");
        assertEquals(code, error.get("code").asText());
        assertEquals(status, error.get("status").asInt());
        assertEquals(field, error.get("field").isNull() ? null : error.get("field").asText());
        assertTrue(error.get("message").asText().contains(messagePart), error.get("message").asText());
    }

    private static List<String> words(JsonNode array) {
        List<String> words = new ArrayList<>();
        array.forEach(word -> words.add(word.asText()));
        return words;
    }
}
