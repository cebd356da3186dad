package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.stackgan.datasets.TestData;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.GetRunRequest;
import dev.stackgan.proto.v1.ListCheckpointsRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's JSON API on the trainer's HTTP port, over a real trainer, a throwaway database and two tiny runs
 * trained to the end (a text encoder, then a Stage-I on it): the gRPC API's answers as proto3 JSON, the metric
 * history step by step, sample sheets, server-sent progress, and refusals as JSON naming the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path work;
    TestDatabase database;
    TrainerHarness trainer;
    Run encoder;
    Run stage1;

    @BeforeAll
    void trainTwoRuns() throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        database = new TestDatabase();
        trainer = new TrainerHarness(database.url(), work, Map.of());
        encoder = trainer.trainToEnd(TrainerServiceTest.spec("text-encoder", 2, ""));
        long encoderCheckpoint = trainer.client.checkpoints(encoder.getId()).get(2).getId();
        // diversity only, and a collapse threshold a tiny run stays below: an event at its one evaluated checkpoint
        stage1 = trainer.trainToEnd("{\"kind\":\"stage1\",\"preset\":\"tiny\",\"dataset\":\"birds\",\"split\":\"cub-image\","
                + "\"epochs\":1,\"seed\":42,\"snapshotEveryMinutes\":0,\"evaluationSamples\":0,"
                + "\"collapseThreshold\":0.99,\"textEncoderCheckpoint\":\"" + encoderCheckpoint + "\"}");
        assertTrue(trainer.bean(Journal.class).flush(Duration.ofSeconds(10)));
    }

    @AfterAll
    void stop() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
        database.close();
    }

    @Test
    void runsAndCheckpointsAreTheGrpcAnswersAsProtoJson() throws Exception {
        for (Run run : List.of(encoder, stage1)) {
            assertEquals(proto(trainer.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build())),
                    json(get("/api/runs/" + run.getId()), 200));
            assertEquals(proto(trainer.stub().listCheckpoints(ListCheckpointsRequest.newBuilder()
                    .setRunId(run.getId()).build())), json(get("/api/runs/" + run.getId() + "/checkpoints"), 200));
        }
        JsonNode checkpoints = json(get("/api/runs/" + encoder.getId() + "/checkpoints"), 200).get("checkpoints");
        assertEquals(3, checkpoints.size(), "step 0 and one per epoch");
        assertEquals(encoder.getTotalSteps(), checkpoints.get(2).get("step").asLong());
        assertTrue(checkpoints.get(2).get("sizeBytes").asLong() > 0);
        assertEquals(64, checkpoints.get(2).get("sha256").asText().length());
        assertEquals(2, json(get("/api/runs/" + stage1.getId() + "/checkpoints"), 200).get("checkpoints").size());
    }

    @Test
    void runsListFiltersByStatusAndKind() throws Exception {
        assertEquals(List.of(stage1.getId(), encoder.getId()), ids(json(get("/api/runs"), 200)));
        assertEquals(List.of(stage1.getId(), encoder.getId()), ids(json(get("/api/runs?status=succeeded"), 200)));
        assertEquals(List.of(), ids(json(get("/api/runs?status=running,queued"), 200)));
        assertEquals(List.of(), ids(json(get("/api/runs?status=running&status=failed"), 200)));
        assertEquals(List.of(encoder.getId()), ids(json(get("/api/runs?kind=text-encoder"), 200)));
        JsonNode page = json(get("/api/runs?page_size=1"), 200);
        assertEquals(List.of(stage1.getId()), ids(page));
        assertEquals(List.of(encoder.getId()), ids(json(get("/api/runs?page_size=1&page_token="
                + page.get("nextPageToken").asText()), 200)));
    }

    @Test
    void metricsHaveOnePointPerStepEqualToTheRecordedRows() throws Exception {
        for (Run run : List.of(encoder, stage1)) {
            JsonNode metrics = json(get("/api/runs/" + run.getId() + "/metrics"), 200);
            long[] steps = longs(metrics.get("step"));
            assertArrayEquals(LongStream.rangeClosed(1, run.getTotalSteps()).toArray(), steps);
            List<Object> recorded = database.column("SELECT generator_loss FROM metrics WHERE run_id = ? ORDER BY"
                    + " step", run.getId());
            for (String column : List.of("epoch", "discriminatorLoss", "generatorLoss", "kl", "generatorLr",
                    "discriminatorLr", "imagesPerSecond", "wallSeconds")) {
                assertEquals(steps.length, metrics.get(column).size(), column);
            }
            for (int i = 0; i < steps.length; i++) {
                assertEquals(((Number) recorded.get(i)).floatValue(),
                        (float) metrics.get("generatorLoss").get(i).asDouble(), "step " + steps[i]);
            }
        }
    }

    @Test
    void aRunWithoutStepsHasEmptyColumns() throws Exception {
        RunRepository runs = trainer.bean(RunRepository.class);
        RunRow never = runs.save(new RunRow(null, "never started", "stage1", "CANCELLED", "{}", "birds", null,
                Instant.now(), null, null, null, 0, 0, 10, null));
        try {
            JsonNode metrics = json(get("/api/runs/" + never.id() + "/metrics"), 200);
            assertEquals(0, metrics.get("step").size(), metrics.toString());
            assertEquals(0, metrics.get("generatorLoss").size(), metrics.toString());
        } finally {
            runs.delete(never); // the other tests list exactly the two trained runs
        }
    }

    @Test
    void eventsAreTheRecordedOnes() throws Exception {
        JsonNode events = json(get("/api/runs/" + stage1.getId() + "/events"), 200).get("events");
        List<Object> types = database.column("SELECT type FROM events WHERE run_id = ? ORDER BY id", stage1.getId());
        assertEquals(List.of("COLLAPSE_SUSPECTED"), types, "at the end of the epoch (step 0 is not evaluated)");
        assertEquals(types.size(), events.size());
        List<Object> steps = database.column("SELECT step FROM events WHERE run_id = ? ORDER BY id", stage1.getId());
        for (int i = 0; i < types.size(); i++) {
            assertEquals("RUN_EVENT_TYPE_" + types.get(i), events.get(i).get("type").asText());
            assertEquals(((Number) steps.get(i)).longValue(), events.get(i).get("step").asLong());
            assertEquals(stage1.getTotalSteps(), events.get(i).get("step").asLong());
            assertTrue(events.get(i).get("message").asText().contains("below the threshold 0.990"),
                    events.get(i).toString());
        }
    }

    @Test
    void sampleSheetsAreTheEvaluatedCheckpointsPngs() throws Exception {
        List<Checkpoint> checkpoints = trainer.client.checkpoints(stage1.getId());
        Checkpoint last = checkpoints.get(checkpoints.size() - 1);
        HttpResponse<byte[]> png = HTTP.send(request("/api/checkpoints/" + last.getId() + "/samples.png").GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("content-type").orElseThrow());
        Path directory = Path.of((String) database.column("SELECT path FROM checkpoints WHERE id = ?",
                last.getId()).get(0));
        assertArrayEquals(Files.readAllBytes(directory.resolve("samples.png")), png.body());

        assertError(get("/api/checkpoints/" + checkpoints.get(0).getId() + "/samples.png"), 404, "NOT_FOUND",
                "checkpoint_id"); // step 0: written before any training, not evaluated, no sheet
        long encoderCheckpoint = trainer.client.checkpoints(encoder.getId()).get(2).getId();
        assertError(get("/api/checkpoints/" + encoderCheckpoint + "/samples.png"), 404, "NOT_FOUND",
                "checkpoint_id");
        assertError(get("/api/checkpoints/999999/samples.png"), 404, "NOT_FOUND", "checkpoint_id");
    }

    @Test
    void watchStreamsTheEndedRunsStateThenEnds() throws Exception {
        HttpResponse<String> stream = get("/api/runs/" + encoder.getId() + "/watch");
        assertEquals(200, stream.statusCode(), stream.body());
        assertTrue(stream.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        List<String> names = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (String line : stream.body().split("\n")) {
            if (line.startsWith("event:")) {
                names.add(line.substring(6).trim());
            } else if (line.startsWith("data:")) {
                data.add(JSON.readTree(line.substring(5).trim()));
            }
        }
        assertEquals(List.of("progress", "end"), names, stream.body());
        assertEquals("RUN_STATUS_SUCCEEDED", data.get(0).get("status").asText());
        assertEquals(encoder.getTotalSteps(), data.get(0).get("step").asLong());
        assertError(get("/api/runs/999999/watch"), 404, "NOT_FOUND", "run_id");
    }

    @Test
    void badInputIsRefusedWithJsonNamingTheField() throws Exception {
        assertError(get("/api/runs/999999"), 404, "NOT_FOUND", "run_id");
        assertError(get("/api/runs/abc/metrics"), 400, "INVALID_ARGUMENT", "run_id");
        assertError(get("/api/runs/0/checkpoints"), 400, "INVALID_ARGUMENT", "run_id");
        assertError(get("/api/runs/999999/events"), 404, "NOT_FOUND", "run_id");
        assertError(get("/api/runs?status=sleeping"), 400, "INVALID_ARGUMENT", "status");
        assertError(get("/api/runs?kind=stage9"), 400, "INVALID_ARGUMENT", "kind");
        assertError(get("/api/runs?page_size=many"), 400, "INVALID_ARGUMENT", "page_size");
        assertError(get("/api/runs?page_size=501"), 400, "INVALID_ARGUMENT", "page_size");
        assertError(get("/api/runs?page_token=x"), 400, "INVALID_ARGUMENT", "page_token");
        assertError(get("/api/runs?statuss=running"), 400, "INVALID_ARGUMENT", "statuss");
        assertError(post("/api/runs/" + encoder.getId() + "/cancel"), 409, "FAILED_PRECONDITION", null);
        assertError(post("/api/runs/" + encoder.getId() + "/resume"), 409, "FAILED_PRECONDITION", null);
        assertError(post("/api/runs/999999/cancel"), 404, "NOT_FOUND", "run_id");
        assertError(post("/api/bundles?checkpoint_ids=abc"), 400, "INVALID_ARGUMENT", "checkpoint_ids");
        assertError(post("/api/bundles"), 400, "INVALID_ARGUMENT", "checkpoint_ids");
        assertError(post("/api/bundles?checkpoint_ids=1&bundle_id=../up"), 400, "INVALID_ARGUMENT", "bundle_id");
        assertError(post("/api/bundles?checkpoint_ids=999999"), 404, "NOT_FOUND", "checkpoint_ids");
        assertError(post("/api/bundles/nothing-here/promote"), 404, "NOT_FOUND", "bundle_id");
        assertError(get("/api/nothing"), 404, "NOT_FOUND", null);
        assertError(get("/dashboard/lib/uplot/evil.js"), 404, "NOT_FOUND", "file");
    }

    @Test
    void theDashboardAndItsChartLibraryAreServedByTheTrainer() throws Exception {
        HttpResponse<String> root = get("/");
        assertEquals(303, root.statusCode());
        assertEquals("/dashboard/", root.headers().firstValue("location").orElseThrow());
        for (String page : List.of("/dashboard/", "/dashboard/run.html", "/dashboard/compare.html")) {
            HttpResponse<String> html = get(page);
            assertEquals(200, html.statusCode(), page);
            assertTrue(html.body().contains("common.js"), page);
            assertTrue(!html.body().contains("http://") && !html.body().contains("https://"), page + ": no CDN");
        }
        HttpResponse<String> uplot = get("/dashboard/lib/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().contains("uPlot"));
        assertEquals(200, get("/dashboard/lib/uplot/uPlot.min.css").statusCode());
    }

    private static JsonNode proto(MessageOrBuilder message) throws Exception {
        return JSON.readTree(JsonFormat.printer().includingDefaultValueFields().print(message));
    }

    private static List<Long> ids(JsonNode list) {
        List<Long> ids = new ArrayList<>();
        list.get("runs").forEach(run -> ids.add(run.get("id").asLong()));
        return ids;
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String field)
            throws Exception {
        JsonNode error = json(response, status).get("error");
        assertEquals(code, error.get("code").asText(), response.body());
        assertEquals(status, error.get("status").asInt());
        assertTrue(!error.get("message").asText().isBlank(), response.body());
        assertEquals(field, error.get("field").isNull() ? null : error.get("field").asText(), response.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(trainer.http().resolve(path)).timeout(Duration.ofSeconds(60));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
