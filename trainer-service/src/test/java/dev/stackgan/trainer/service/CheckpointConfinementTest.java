package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackgan.datasets.TestData;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint references read only inside the runs directory: records that point at /etc/passwd, climb out with
 * "..", or lie behind a link out of it are refused by every call that takes a checkpoint id, with an error that
 * names the field and not the path; the real checkpoint they copy is still accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckpointConfinementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    TestDatabase database;
    TrainerHarness trainer;
    CheckpointRow valid;
    /** Checkpoint ids whose records lie outside the runs directory, by how. */
    Map<String, Long> escapes;

    @BeforeAll
    void recordEscapingCheckpoints() throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        database = new TestDatabase();
        trainer = new TrainerHarness(database.url(), work, Map.of());
        Run encoder = trainer.trainToEnd(TrainerServiceTest.spec("text-encoder", 1, ""));
        assertTrue(trainer.bean(Journal.class).flush(Duration.ofSeconds(10)));
        CheckpointRepository checkpoints = trainer.bean(CheckpointRepository.class);
        List<CheckpointRow> rows = checkpoints.findByRunIdOrderByStep(encoder.getId());
        valid = rows.get(rows.size() - 1);
        // a true copy of the valid checkpoint outside: only the confinement, not a bad checksum, can refuse it
        Path outside = Files.createDirectories(work.resolve("outside/checkpoint"));
        try (Stream<Path> files = Files.list(Path.of(valid.path()))) {
            for (Path file : files.toList()) {
                Files.copy(file, outside.resolve(file.getFileName()));
            }
        }
        Path runs = work.resolve("runs").toAbsolutePath();
        Files.createSymbolicLink(runs.resolve("run-777"), outside.getParent());
        escapes = Map.of(
                "absolute", record(encoder.getId(), 1001, "/etc/passwd"),
                "dot-dot", record(encoder.getId(), 1002, runs + "/../outside/checkpoint"),
                "symlink", record(encoder.getId(), 1003, runs.resolve("run-777/checkpoint").toString()));
    }

    private long record(long runId, long step, String path) {
        CheckpointRepository checkpoints = trainer.bean(CheckpointRepository.class);
        checkpoints.upsert(runId, 1, step, path, valid.sha256(), valid.files(), valid.sizeBytes(), "{}",
                Instant.now());
        return checkpoints.findByPath(path).orElseThrow().id();
    }

    @AfterAll
    void stop() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
        database.close();
    }

    @Test
    void aRunSpecNamingAnEscapingCheckpointIsRefusedNamingTheField() {
        for (Map.Entry<String, Long> escape : escapes.entrySet()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> trainer.client.create(stage1On(escape.getValue())), escape.getKey());
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), escape.getKey());
            assertNamesFieldNotPath(e.getStatus().getDescription(), "textEncoderCheckpoint " + escape.getValue());
        }
        Run accepted = trainer.client.create(stage1On(valid.id()));
        assertEquals(RunStatus.RUN_STATUS_QUEUED, accepted.getStatus());
        assertEquals(valid.id(), accepted.getSpec().getTextEncoderCheckpointId());
        trainer.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(accepted.getId()).build());
    }

    @Test
    void exportFromAnEscapingCheckpointIsRefusedOverGrpcAndHttp() throws Exception {
        for (Map.Entry<String, Long> escape : escapes.entrySet()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                    .exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(escape.getValue()).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), escape.getKey());
            assertNamesFieldNotPath(e.getStatus().getDescription(), "checkpoint_ids " + escape.getValue());
            JsonNode error = error(trainer.post("/api/bundles?checkpoint_ids=" + escape.getValue()), 400,
                    "checkpoint_ids");
            assertNamesFieldNotPath(error.get("message").asText(), "checkpoint_ids " + escape.getValue());
        }
        // the valid checkpoint gets past the confinement to the export's own check: a text encoder alone is no bundle
        StatusRuntimeException incomplete = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(valid.id()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, incomplete.getStatus().getCode());
        assertTrue(incomplete.getStatus().getDescription().contains("hold no stage1_generator"),
                incomplete.getStatus().getDescription());
    }

    @Test
    void samplesOfAnEscapingCheckpointAreRefused() throws Exception {
        for (Map.Entry<String, Long> escape : escapes.entrySet()) {
            JsonNode error = error(trainer.get("/api/checkpoints/" + escape.getValue() + "/samples.png"), 400,
                    "checkpoint_id");
            assertNamesFieldNotPath(error.get("message").asText(), "checkpoint_id " + escape.getValue());
        }
        JsonNode none = error(trainer.get("/api/checkpoints/" + valid.id() + "/samples.png"), 404, "checkpoint_id");
        assertTrue(none.get("message").asText().contains("no sample sheet"), none.toString());
    }

    @Test
    void aCheckpointWhoseFilesAreGoneIsNotFound() throws Exception {
        long gone = record(valid.runId(), 1004, work.resolve("runs/run-424242/epoch-1").toAbsolutePath().toString());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(gone).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertNamesFieldNotPath(e.getStatus().getDescription(), "checkpoint_ids " + gone);
    }

    @Test
    void aDatasetBehindALinkOutOfTheDataRootIsRefusedWithoutItsTarget() throws Exception {
        Path data = work.resolve("data");
        Files.createSymbolicLink(data.resolve("linked"), data.resolve("birds").toRealPath());
        Files.createDirectories(work.resolve("outside-data"));
        Files.createSymbolicLink(data.resolve("escape"), work.resolve("outside-data"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.client.create(
                TrainerServiceTest.spec("text-encoder", 1, "").replace("\"birds\"", "\"escape\"")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertNamesFieldNotPath(e.getStatus().getDescription(), "dataset 'escape'");
        Run linkedInside = trainer.client.create(TrainerServiceTest.spec("text-encoder", 1, "")
                .replace("\"birds\"", "\"linked\""));
        trainer.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(linkedInside.getId()).build());
    }

    @Test
    void errorsRepeatAtMostAShortPieceOfAnOverlongValue() throws Exception {
        String huge = "x".repeat(10_000);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(valid.id()).setBundleId(huge).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().length() < 300, e.getStatus().getDescription());
        JsonNode error = error(trainer.get("/api/runs?page_token=" + "7".repeat(3000)), 400, "page_token");
        assertTrue(error.get("message").asText().length() < 200, error.toString());
    }

    private static dev.stackgan.proto.v1.RunSpec stage1On(long textEncoderCheckpoint) {
        return TrainerServiceTest.typedSpec("stage1", 1, "").toBuilder()
                .setTextEncoderCheckpointId(textEncoderCheckpoint).build();
    }

    private static void assertNamesFieldNotPath(String message, String field) {
        assertTrue(message.startsWith(field), "'" + message + "' names " + field);
        for (String path : List.of("/etc", "passwd", "/outside", "run-777", work.toString())) {
            assertFalse(message.contains(path), "'" + message + "' shows " + path);
        }
    }

    private static JsonNode error(HttpResponse<String> response, int status, String field) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertEquals(field, error.get("field").asText(), response.body());
        return error;
    }
}
