package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.fixtures.ExampleCaptions;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateEvent;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GenerateResponse;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The whole serving stack in one JVM: gateway over text encoder, Stage-I and Stage-II on tiny real bundles. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayEndToEndTest {

    private static final String PROMPT = "a small bird with a red crown and white belly";

    @TempDir
    static Path repository;
    private ServingStack stack;
    private ModelConfig config;

    @BeforeAll
    void start() throws Exception {
        config = BundleReader.read(TinyBundles.export(repository, TinyBundles.V1, 1)).manifest().modelConfig();
        Files.writeString(repository.resolve("CURRENT"), TinyBundles.V1 + "\n");
        stack = new ServingStack(repository, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void stageTwoImagesHaveTheBundlesStageTwoSizeAndReportSeedsVersionAndTimings() throws IOException {
        JsonNode body = ok(Map.of("prompt", PROMPT, "n", 2, "seed", 7, "stage", 2));
        assertEquals(TinyBundles.V1, body.get("model_version").asText());
        assertEquals(2, body.get("images").size());
        for (int i = 0; i < 2; i++) {
            JsonNode image = body.get("images").get(i);
            assertEquals(7 + i, image.get("seed").asLong());
            assertEquals(2, image.get("stage").asInt());
            assertSize(config.stage2().imageSize(), png(image));
        }
        JsonNode timings = body.get("timings");
        for (String field : List.of("text_encoder_ms", "stage1_ms", "stage2_ms", "total_ms")) {
            assertTrue(timings.has(field), field);
        }
        // the web page reads unknown_words on every answer: it must be there, empty when every word is known
        assertTrue(body.get("unknown_words").isArray(), "unknown_words present: " + body);
        assertEquals(0, body.get("unknown_words").size(), String.valueOf(body));
    }

    @Test
    void stageOneImagesHaveTheBundlesStageOneSize() throws IOException {
        JsonNode body = ok(Map.of("prompt", PROMPT, "n", 3, "stage", 1));
        assertEquals(3, body.get("images").size());
        for (JsonNode image : body.get("images")) {
            assertSize(config.stage1().imageSize(), png(image));
        }
        assertEquals(0, body.get("timings").get("stage2_ms").asLong());
    }

    @Test
    void sameSeedGivesIdenticalBytesAndOtherSeedsDiffer() {
        Map<String, Object> request = Map.of("prompt", PROMPT, "n", 2, "seed", 42);
        JsonNode first = ok(request);
        JsonNode again = ok(request);
        JsonNode other = ok(Map.of("prompt", PROMPT, "n", 2, "seed", 43));
        assertArrayEquals(png(first.get("images").get(0)), png(again.get("images").get(0)));
        assertArrayEquals(png(first.get("images").get(1)), png(again.get("images").get(1)));
        assertFalse(Arrays.equals(png(first.get("images").get(0)), png(first.get("images").get(1))));
        // seed 43 as image 0 of another request is image 1 of the seed-42 request: seed + i is the contract
        assertArrayEquals(png(first.get("images").get(1)), png(other.get("images").get(0)));
    }

    @Test
    void everyExampleCaptionSucceeds() throws IOException {
        List<String> captions = ExampleCaptions.lines();
        assertEquals(26, captions.size());
        for (String caption : captions) {
            JsonNode body = ok(Map.of("prompt", caption, "seed", 1));
            assertEquals(1, body.get("images").size(), caption);
        }
    }

    @Test
    void pngEndpointAndWebPage() throws IOException {
        HttpJson.Reply image = HttpJson.get(stack.http(), "/v1/images.png?prompt=a+red+bird&seed=5");
        assertEquals(200, image.status());
        assertEquals("image/png", image.contentType());
        assertSize(config.stage2().imageSize(), image.bytes());
        HttpJson.Reply page = HttpJson.get(stack.http(), "/");
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"));
        assertTrue(new String(page.bytes()).contains("/v1/images"));
    }

    @Test
    void grpcGenerateMatchesHttpAndTheStreamSendsPreviewsFirst() throws IOException {
        GatewayServiceGrpc.GatewayServiceBlockingStub gateway = GatewayServiceGrpc.newBlockingStub(stack.channel())
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        GenerateRequest request = GenerateRequest.newBuilder().setPrompt(PROMPT).setNumImages(2).setSeed(42)
                .setFinalStage(Stage.STAGE_2).build();
        GenerateResponse response = gateway.generate(request);
        assertEquals(TinyBundles.V1, response.getModelVersion());
        assertArrayEquals(png(ok(Map.of("prompt", PROMPT, "n", 2, "seed", 42)).get("images").get(0)),
                response.getImages(0).getPng().toByteArray());

        Iterator<GenerateEvent> events = gateway.generateStream(request);
        GenerateEvent preview = events.next();
        assertTrue(preview.hasStage1Preview());
        assertEquals(2, preview.getStage1Preview().getImagesCount());
        assertSize(config.stage1().imageSize(), preview.getStage1Preview().getImages(0).getPng().toByteArray());
        GenerateEvent last = events.next();
        assertTrue(last.hasFinalImages());
        assertEquals(response.getImages(1).getPng(), last.getFinalImages().getImages(1).getPng());
        assertFalse(events.hasNext());
    }

    @Test
    void healthReflectionAndModelInfo() throws Exception {
        assertEquals(ServingStatus.SERVING, GrpcClients.health(stack.channel(), GatewayServiceGrpc.SERVICE_NAME));
        assertTrue(GrpcClients.listServices(stack.channel()).containsAll(
                List.of(GatewayServiceGrpc.SERVICE_NAME, ModelManagementServiceGrpc.SERVICE_NAME)));
        ModelInfo info = ModelManagementServiceGrpc.newBlockingStub(stack.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .getModelInfo(GetModelInfoRequest.getDefaultInstance());
        assertEquals(GatewayServiceGrpc.SERVICE_NAME, info.getService());
        assertEquals(TinyBundles.V1, info.getCurrentVersion());
        assertEquals(config.stage2().imageSize(), info.getDimensions().getStage2ImageSize());
    }

    /** Near the end: it changes the served version. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void promotingANewBundleWhileRequestsRunFailsNoneAndLaterResponsesReportIt() throws Exception {
        TinyBundles.export(repository, TinyBundles.V2, 2);
        AtomicBoolean swapped = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> running = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    List<String> versions = new ArrayList<>();
                    // keep requests in flight until the swap is done, then one more that must see the new version
                    boolean last = false;
                    while (!last) {
                        last = swapped.get();
                        HttpJson.Reply reply = HttpJson.post(stack.http(),
                                Map.of("prompt", PROMPT, "n", 2, "seed", client, "stage", 2));
                        assertEquals(200, reply.status(), String.valueOf(reply.body()));
                        versions.add(reply.body().get("model_version").asText());
                    }
                    return versions;
                }));
            }
            assertEquals(TinyBundles.V2, stack.promote(TinyBundles.V2).getCurrentVersion());
            swapped.set(true);
            for (Future<List<String>> client : running) {
                List<String> versions = client.get(120, TimeUnit.SECONDS);
                assertEquals(TinyBundles.V2, versions.get(versions.size() - 1));
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(TinyBundles.V2, ok(Map.of("prompt", PROMPT)).get("model_version").asText());
        // the previous version stays loaded and can still be pinned
        assertEquals(TinyBundles.V1,
                ok(Map.of("prompt", PROMPT, "model_version", TinyBundles.V1)).get("model_version").asText());
    }

    /**
     * Last. Services poll the repository independently, so the text encoder may swap before the stages: an
     * unpinned request then runs on the version the stages still serve instead of failing.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void textEncoderAheadOfTheStagesServesTheStagesVersion() throws Exception {
        String current = ok(Map.of("prompt", PROMPT)).get("model_version").asText();
        TinyBundles.export(repository, "tiny-v3", 3);
        assertEquals("tiny-v3", stack.promoteIn(ServingStack.TEXT_ENCODER, "tiny-v3").getCurrentVersion());
        assertEquals(current, ok(Map.of("prompt", PROMPT, "stage", 2)).get("model_version").asText());
        Iterator<GenerateEvent> events = GatewayServiceGrpc.newBlockingStub(stack.channel())
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .generateStream(GenerateRequest.newBuilder().setPrompt(PROMPT).build());
        events.forEachRemaining(event -> assertEquals(current, event.hasFinalImages()
                ? event.getFinalImages().getModelVersion() : event.getStage1Preview().getModelVersion()));
        // pinned to the version the stages lack: refused, naming the stage
        HttpJson.Reply pinned = HttpJson.post(stack.http(), Map.of("prompt", PROMPT, "model_version", "tiny-v3"));
        assertEquals(409, pinned.status());
        assertTrue(pinned.body().get("error").get("message").asText().contains("stage1 service"));
    }

    private JsonNode ok(Map<String, Object> request) {
        HttpJson.Reply reply = HttpJson.post(stack.http(), request);
        assertEquals(200, reply.status(), String.valueOf(reply.body()));
        return reply.body();
    }

    private static byte[] png(JsonNode image) {
        return Base64.getDecoder().decode(image.get("png").asText());
    }

    private static void assertSize(int side, byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(side, image.getWidth());
        assertEquals(side, image.getHeight());
    }

}
