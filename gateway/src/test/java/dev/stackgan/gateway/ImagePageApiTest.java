package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackgan.serving.testing.TinyBundles;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page's endpoints on the real stack: GET /v1/images/stream (server-sent events) and GET /v1/vocabulary.
 * The last test stops Stage-II.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImagePageApiTest {

    private static final String PROMPT = "a small bird with a red crown and white belly";

    @TempDir
    static Path repository;
    private ServingStack stack;

    /** One server-sent event: its name and its JSON data. */
    record Event(String name, JsonNode data) {
    }

    @BeforeAll
    void start() throws IOException {
        ServingStack.promotedV1(repository);
        stack = new ServingStack(repository, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    @Test
    @Order(1)
    void streamSendsTheStageOnePreviewBeforeTheFinalImagesWhichMatchPostImages() {
        HttpJson.Reply reply = stream("prompt=" + encode(PROMPT) + "&n=2&seed=7");
        assertEquals(200, reply.status());
        assertTrue(reply.contentType().startsWith("text/event-stream"), reply.contentType());
        List<Event> events = events(reply);
        assertEquals(List.of("preview", "image"), events.stream().map(Event::name).toList());
        JsonNode preview = events.get(0).data();
        JsonNode last = events.get(1).data();
        for (int i = 0; i < 2; i++) {
            assertImage(preview.get("images").get(i), 7 + i, 1, 16);
            assertImage(last.get("images").get(i), 7 + i, 2, 32);
        }
        assertEquals(TinyBundles.V1, preview.get("model_version").asText());
        assertEquals(TinyBundles.V1, last.get("model_version").asText());

        // the same chain as POST /v1/images: the same seed gives the same PNG bytes
        JsonNode posted = HttpJson.post(stack.http(), Map.of("prompt", PROMPT, "n", 2, "seed", 7)).body();
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(png(posted.get("images").get(i)), png(last.get("images").get(i)));
        }
    }

    @Test
    @Order(2)
    void stageOneStreamsOneImageEventAndReportsUnknownWords() {
        List<Event> events = events(stream("prompt=" + encode("a bird zzzunknown") + "&stage=1&seed=3"));
        assertEquals(List.of("image"), events.stream().map(Event::name).toList());
        assertImage(events.get(0).data().get("images").get(0), 3, 1, 16);
        assertEquals("zzzunknown", events.get(0).data().get("unknown_words").get(0).asText());
    }

    @Test
    @Order(3)
    void badStreamRequestsAre400WithTheFieldAndTheLimitBeforeAnyEvent() {
        assertError(stream("prompt=" + "a".repeat(1001)), 400, "prompt", "1001 characters, at most 1000");
        assertError(stream("n=1"), 400, "prompt", "prompt is required");
        assertError(stream("prompt=%20%20"), 400, "prompt", "empty or only whitespace");
        assertError(stream("prompt=bird&n=9"), 400, "n", "must be 1 to 8");
        assertError(stream("prompt=bird&n=abc"), 400, "n", "abc");
        assertError(stream("prompt=bird&seed=-1"), 400, "seed", "seeds must be 0 to");
        assertError(stream("prompt=bird&seed=abc"), 400, "seed", "abc");
        assertError(stream("prompt=bird&stage=3"), 400, "stage", "must be 1 or 2");
        assertError(stream("prompt=bird&model_version=" + "v".repeat(200)), 400, "model_version",
                "200 characters");
        assertError(stream("prompt=bird&model_version=no-such-bundle"), 409, "model_version", "is not loaded");
    }

    @Test
    @Order(4)
    void vocabularyIsTheEncodersKnownWordsAndItsWordLimit() {
        HttpJson.Reply reply = HttpJson.get(stack.http(), "/v1/vocabulary");
        assertEquals(200, reply.status());
        assertEquals(TinyBundles.V1, reply.body().get("model_version").asText());
        assertEquals(18, reply.body().get("max_words").asInt());
        List<String> words = new ArrayList<>();
        reply.body().get("words").forEach(word -> words.add(word.asText()));
        List<String> known = TinyBundles.vocabulary().words();
        assertEquals(known.subList(2, known.size()), words);

        assertEquals(TinyBundles.V1, HttpJson.get(stack.http(), "/v1/vocabulary?model_version=" + TinyBundles.V1)
                .body().get("model_version").asText());
        assertError(HttpJson.get(stack.http(), "/v1/vocabulary?model_version=" + "v".repeat(200)), 400,
                "model_version", "200 characters");
        // past Netty's 4096-byte request line: refused before routing, still a JSON 4xx, never a 500
        HttpJson.Reply tooLong = HttpJson.get(stack.http(), "/v1/vocabulary?model_version=" + "v".repeat(10_000));
        assertEquals(413, tooLong.status());
        assertEquals("REQUEST_ENTITY_TOO_LARGE", tooLong.body().get("error").get("code").asText());
        assertError(HttpJson.get(stack.http(), "/v1/vocabulary?model_version=..%2Fx"), 400, "model_version",
                "is not a bundle id: 1 to 128 of");
        assertError(HttpJson.get(stack.http(), "/v1/vocabulary?model_version=no-such-bundle"), 409,
                "model_version", "is not loaded here");
    }

    @Test
    @Order(5)
    void aStageFailingAfterThePreviewEndsTheStreamWithAnErrorEventInTheApisErrorBody() {
        stack.stop(ServingStack.STAGE2);
        List<Event> events = events(stream("prompt=" + encode(PROMPT) + "&seed=1"));
        assertEquals(List.of("preview", "error"), events.stream().map(Event::name).toList());
        JsonNode error = events.get(1).data().get("error");
        assertEquals("UNAVAILABLE", error.get("code").asText());
        assertEquals(503, error.get("status").asInt());
        assertTrue(error.get("message").asText().contains("stage2 service"), error.toString());
        assertTrue(error.get("field").isNull());
    }

    private HttpJson.Reply stream(String query) {
        return HttpJson.get(stack.http(), "/v1/images/stream?" + query);
    }

    private static void assertImage(JsonNode image, long seed, int stage, int size) {
        assertEquals(seed, image.get("seed").asLong());
        assertEquals(stage, image.get("stage").asInt());
        assertEquals(size, image.get("width").asInt());
        assertEquals(size, image.get("height").asInt());
        assertTrue(png(image).length > 8, "a PNG");
    }

    private static void assertError(HttpJson.Reply reply, int status, String field, String messagePart) {
        assertEquals(status, reply.status(), new String(reply.bytes(), StandardCharsets.UTF_8));
        JsonNode error = reply.body().get("error");
        assertEquals(status, error.get("status").asInt());
        assertEquals(field, error.get("field").asText());
        assertTrue(error.get("message").asText().contains(messagePart), error.get("message").asText());
    }

    /** The events of a whole text/event-stream body, in the order they were sent. */
    private static List<Event> events(HttpJson.Reply reply) {
        List<Event> events = new ArrayList<>();
        for (String block : new String(reply.bytes(), StandardCharsets.UTF_8).split("\n\n")) {
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            if (!data.isEmpty()) {
                try {
                    events.add(new Event(name, HttpJson.JSON.readTree(data.toString())));
                } catch (IOException e) {
                    throw new AssertionError("event data is not JSON: " + data, e);
                }
            }
        }
        return events;
    }

    private static byte[] png(JsonNode image) {
        return Base64.getDecoder().decode(image.get("png").asText());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
