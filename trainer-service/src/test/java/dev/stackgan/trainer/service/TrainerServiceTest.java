package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.BundleReader;
import dev.stackgan.datasets.TestData;
import dev.stackgan.networks.TinyModels;
import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.CreateRunRequest;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.ImportCheckpointRequest;
import dev.stackgan.proto.v1.ListBundlesRequest;
import dev.stackgan.proto.v1.ListCheckpointsRequest;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.Loss;
import dev.stackgan.proto.v1.Preset;
import dev.stackgan.proto.v1.ResumeRunRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunEventType;
import dev.stackgan.proto.v1.RunKind;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.cli.TrainerCommand;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.MetricRepository;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import picocli.CommandLine;

/**
 * The trainer through its real gRPC port over a throwaway PostgreSQL database: the schema, every call, tiny runs of
 * each kind to SUCCEEDED, the queue, refusals, divergence, export and promotion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerServiceTest {

    @TempDir
    static Path work;
    TestDatabase database;
    TrainerHarness trainer;

    @BeforeAll
    void start() throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        for (String orphan : List.of("bundles/.b1.partial-123", "models/.b1.partial-456")) {
            Files.createDirectories(work.resolve(orphan)).resolve("manifest.json").toFile().createNewFile();
        }
        database = new TestDatabase();
        trainer = new TrainerHarness(database.url(), work, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
        database.close();
    }

    static String spec(String kind, int epochs, String extra) {
        return "{\"kind\":\"" + kind + "\",\"preset\":\"tiny\",\"dataset\":\"birds\",\"split\":\"cub-image\","
                + "\"epochs\":" + epochs + ",\"seed\":42,\"snapshotEveryEpochs\":1,\"snapshotEveryMinutes\":0,"
                + "\"collapseThreshold\":0.0" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void migrationsCreateTheSchemaAndRepositoriesUpsertByRunAndStep() throws Exception {
        assertEquals(List.of("1", "2"), database.column(
                "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank"));
        RunRepository runs = trainer.bean(RunRepository.class);
        RunRow run = runs.save(new RunRow(null, "repo test", "stage1", "CANCELLED", "{\"a\":1}", "birds", null,
                Instant.now(), null, null, null, 0, 0, 10, null));
        MetricRepository metrics = trainer.bean(MetricRepository.class);
        metrics.upsert(run.id(), 1, 0, 1f, 2f, 0.1f, 2e-4f, 2e-4f, 10, 0.5);
        metrics.upsert(run.id(), 1, 0, 3f, 4f, 0.1f, 2e-4f, 2e-4f, 10, 0.5);
        metrics.upsert(run.id(), 2, 0, 3f, 4f, 0.1f, 2e-4f, 2e-4f, 10, 0.5);
        assertEquals(List.of(1L, 2L), metrics.steps(run.id()));
        assertEquals(3f, metrics.findByRun(run.id()).get(0).discriminatorLoss(), "a replayed step overwrites");
        metrics.deleteAfter(run.id(), 1);
        assertEquals(List.of(1L), metrics.steps(run.id()));
        CheckpointRepository checkpoints = trainer.bean(CheckpointRepository.class);
        checkpoints.upsert(run.id(), 1, 5, "/x/epoch-1", "a".repeat(64), "{}", 10, "{\"diversity\":0.5}",
                Instant.now());
        checkpoints.upsert(run.id(), 1, 5, "/x/epoch-1", "b".repeat(64), "{}", 11, "{}", Instant.now());
        List<CheckpointRow> rows = checkpoints.findByRunIdOrderByStep(run.id());
        assertEquals(1, rows.size(), "a checkpoint rewritten after a roll-back keeps one record");
        assertEquals("b".repeat(64), rows.get(0).sha256());
        assertEquals("{\"a\": 1}", runs.findById(run.id()).orElseThrow().spec(), "stored as jsonb");
        runs.delete(run);
    }

    @Test
    void bundleStagingDirectoriesLeftByACrashAreRemovedAtStart() {
        assertTrue(Files.notExists(work.resolve("bundles/.b1.partial-123")));
        assertTrue(Files.notExists(work.resolve("models/.b1.partial-456")));
    }

    static RunSpec typedSpec(String kind, int epochs, String extra) {
        return Protos.specFromJson(spec(kind, epochs, extra));
    }

    @Test
    void invalidSpecsAreRefusedNamingTheFieldAndNothingIsRecorded() throws Exception {
        Files.createDirectories(work.resolve("outside"));
        RunSpec valid = typedSpec("text-encoder", 1, "");
        Map<RunSpec, String> refused = Map.ofEntries(
                Map.entry(RunSpec.getDefaultInstance(), "kind"),
                Map.entry(valid.toBuilder().clearPreset().build(), "preset"),
                Map.entry(valid.toBuilder().setPresetValue(99).build(), "preset is a Preset value this trainer does"
                        + " not know"),
                Map.entry(valid.toBuilder().setOverrides(RunSpec.Overrides.newBuilder().setLossValue(7)).build(),
                        "overrides.loss"),
                Map.entry(valid.toBuilder().setOverrides(RunSpec.Overrides.newBuilder().setAugment(
                        RunSpec.Overrides.AugmentationList.newBuilder().addAugmentationsValue(0))).build(),
                        "overrides.augment holds AUGMENTATION_UNSPECIFIED"),
                Map.entry(valid.toBuilder().clearDataset().build(), "dataset is required"),
                Map.entry(typedSpec("stage1", 1, "\"textEncoderCheckpoint\":\"999999\","
                        + "\"overrides\":{\"generatorLr\":-0.1}"), "generatorLr"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"textEncoderLr\":0}"), "textEncoderLr"),
                Map.entry(typedSpec("stage1", 1, "\"textEncoderCheckpoint\":\"999999\","
                        + "\"overrides\":{\"stage2GeneratorDim\":32}"),
                        "overrides.stage2GeneratorDim applies to stage2 runs only, not to a stage1 run"),
                Map.entry(typedSpec("stage1", 1, "\"textEncoderCheckpoint\":\"999999\","
                        + "\"overrides\":{\"stage1Consistency\":5}"),
                        "overrides.stage1Consistency applies to stage2 runs only"),
                Map.entry(typedSpec("stage2", 1, "\"textEncoderCheckpoint\":\"999999\",\"stage1Checkpoint\":"
                        + "\"999999\",\"overrides\":{\"stage2DiscriminatorDim\":256}"),
                        "overrides.stage2DiscriminatorDim must be in [1, 128], got 256"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"matchingCoefficient\":-1}"),
                        "matchingCoefficient must be >= 0"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"stage1Consistency\":-1}"),
                        "stage1Consistency must be >= 0, got -1.0"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"batchSize\":1000}"),
                        "overrides.batchSize 1000"),
                Map.entry(typedSpec("stage2", 1, "\"textEncoderCheckpoint\":\"999999\""), "stage1Checkpoint"),
                Map.entry(typedSpec("stage1", 1, ""),
                        "textEncoderCheckpoint (or stage1Checkpoint, to continue a Stage-I generator) is required"),
                // Stage-II conditions on the text encoder its Stage-I checkpoint carries: only the Stage-I is needed
                Map.entry(typedSpec("stage2", 1, "\"stage1Checkpoint\":\"999999\""),
                        "stage1Checkpoint 999999 is not a checkpoint id on record"),
                // a Stage-I run on a Stage-I checkpoint continues it: the reference is checked like Stage-II's
                Map.entry(typedSpec("stage1", 1, "\"stage1Checkpoint\":\"999999\""),
                        "stage1Checkpoint 999999 is not a checkpoint id on record"),
                Map.entry(valid.toBuilder().setDataset("no-such-set").build(), "does not exist"),
                Map.entry(valid.toBuilder().setDataset(work.resolve("outside").toString()).build(), "absolute path"),
                Map.entry(valid.toBuilder().setDataset("../outside").build(), "'..'"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"generatorEma\":1}"), "generatorEma"),
                Map.entry(typedSpec("text-encoder", 1, "\"maxMinutes\":-1"), "maxMinutes must be >= 0"),
                Map.entry(typedSpec("text-encoder", 1, "\"overrides\":{\"discriminatorDropout\":1.5}"),
                        "discriminatorDropout"),
                Map.entry(typedSpec("stage1", 1, "\"textEncoderCheckpoint\":\"999999\""),
                        "textEncoderCheckpoint 999999 is not a checkpoint id on record"));
        long before = trainer.bean(RunRepository.class).count();
        for (Map.Entry<RunSpec, String> e : refused.entrySet()) {
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                    () -> trainer.client.create(e.getKey()), e.getKey().toString());
            assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), e.getKey().toString());
            String message = error.getStatus().getDescription();
            assertTrue(message.contains(e.getValue()), "'" + message + "' names " + e.getValue());
            assertFalse(message.contains("\tat "), "no stack trace");
        }
        StatusRuntimeException noSpec = assertThrows(StatusRuntimeException.class,
                () -> trainer.stub().createRun(CreateRunRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noSpec.getStatus().getCode());
        assertTrue(noSpec.getStatus().getDescription().contains("spec is required"));
        assertEquals(before, trainer.bean(RunRepository.class).count(), "nothing recorded");
    }

    @Test
    void importRefusesWhatIsNotACheckpointInsideTheDataRootNamingThePathAndRecordsNothing() throws Exception {
        Path data = work.resolve("data");
        Path noNetworks = checkpointFiles(data.resolve("imports/no-networks"));
        Path linked = checkpointFiles(data.resolve("imports/linked"));
        Files.writeString(checkpointFiles(data.resolve("imports/broken")).resolve("model_config.json"), "{\"text\":");
        for (String network : List.of("text_encoder", "image_encoder", "stage1_generator")) {
            Files.writeString(linked.resolve(network + ".params"), "weights");
        }
        Files.createSymbolicLink(linked.resolve("stage1_generator_ema.params"), work.resolve("outside.params"));
        Files.writeString(work.resolve("outside.params"), "not the trainer's to read");
        Map<String, Map.Entry<Status.Code, String>> refused = Map.of(
                "", Map.entry(Status.Code.INVALID_ARGUMENT, "path is required"),
                data.resolve("imports/no-networks").toString(), Map.entry(Status.Code.INVALID_ARGUMENT,
                        "path must be a directory relative to the data root"),
                "../outside", Map.entry(Status.Code.INVALID_ARGUMENT, "must not contain '..'"),
                "imports/missing", Map.entry(Status.Code.NOT_FOUND, "path 'imports/missing' is not a directory"),
                "birds", Map.entry(Status.Code.INVALID_ARGUMENT, "path 'birds' is not a checkpoint: it has no"
                        + " state.json"),
                "imports/broken", Map.entry(Status.Code.INVALID_ARGUMENT, "path 'imports/broken' is not a readable"
                        + " checkpoint: "),
                "imports/no-networks", Map.entry(Status.Code.INVALID_ARGUMENT, "holds a stage1 checkpoint without"
                        + " the network text_encoder (text_encoder.params)"),
                "imports/linked", Map.entry(Status.Code.INVALID_ARGUMENT, "holds stage1_generator_ema.params, which"
                        + " is not a regular file"));
        long runs = trainer.bean(RunRepository.class).count();
        for (Map.Entry<String, Map.Entry<Status.Code, String>> e : refused.entrySet()) {
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                    .importCheckpoint(ImportCheckpointRequest.newBuilder().setPath(e.getKey()).build()), e.getKey());
            assertEquals(e.getValue().getKey(), error.getStatus().getCode(), e.getKey());
            assertTrue(error.getStatus().getDescription().contains(e.getValue().getValue()),
                    "'" + error.getStatus().getDescription() + "' names " + e.getValue().getValue());
            assertFalse(error.getStatus().getDescription().contains(work.toString()), "no trainer path shown");
        }
        StatusRuntimeException longName = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .importCheckpoint(ImportCheckpointRequest.newBuilder().setPath("imports/no-networks")
                        .setName("n".repeat(CheckpointImports.MAX_NAME + 1)).build()));
        assertTrue(longName.getStatus().getDescription().startsWith("name must be at most 200 characters"));
        assertEquals(runs, trainer.bean(RunRepository.class).count(), "nothing recorded");
        assertTrue(Files.isDirectory(noNetworks), "the refused source is left as it was");
    }

    /** The bookkeeping files of a tiny Stage-I checkpoint, without any network. */
    private static Path checkpointFiles(Path directory) throws Exception {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("state.json"), "{\"kind\":\"stage1\",\"epoch\":1,"
                + "\"batchesDoneInEpoch\":0,\"step\":3,\"divergenceHalvings\":0,\"trainedSeconds\":1.0}");
        Files.writeString(directory.resolve("model_config.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                        dev.stackgan.networks.config.Preset.TINY.model(3)));
        Files.writeString(directory.resolve("vocab.txt"), "<pad>\n<unk>\nbird\n");
        return directory;
    }

    @Test
    void textEncoderThenStage1ThenStage2TrainToTheEndAndABundleIsExportedAndPromoted() throws Exception {
        Run encoder = trainer.client.create(spec("text-encoder", 1, ""));
        assertEquals(RunStatus.RUN_STATUS_QUEUED, encoder.getStatus());
        List<RunProgress> watched = watch(encoder.getId());
        RunProgress end = watched.get(watched.size() - 1);
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, end.getStatus(), end.getError());
        assertEquals(100.0, end.getPercentage(), 1e-6);
        assertTrue(watched.stream().anyMatch(p -> p.getStatus() == RunStatus.RUN_STATUS_RUNNING && p.getStep() > 0),
                "progress streamed while it trained");
        trainer.bean(Journal.class).flush(Duration.ofSeconds(10));
        assertMetricsAreSteps1ToN(encoder.getId(), end.getTotalSteps());
        List<Checkpoint> encoderCheckpoints = checkpoints(encoder.getId());
        assertEquals(List.of(0L, end.getTotalSteps()), encoderCheckpoints.stream().map(Checkpoint::getStep).toList());
        long encoderCheckpoint = last(encoderCheckpoints).getId();

        Run stage1 = trainer.client.create(spec("stage1", 1, "\"textEncoderCheckpoint\":\"" + encoderCheckpoint + "\""));
        assertEquals(encoderCheckpoint, stage1.getParentCheckpointId());
        RunProgress stage1End = last(watch(stage1.getId()));
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, stage1End.getStatus(), stage1End.getError());
        assertMetricsAreSteps1ToN(stage1.getId(), stage1End.getTotalSteps());
        List<Checkpoint> stage1Checkpoints = checkpoints(stage1.getId());
        assertTrue(last(stage1Checkpoints).getEvaluationMap().containsKey("diversity"),
                last(stage1Checkpoints).getEvaluationMap().toString());
        assertTrue(encoderCheckpoints.get(0).getEvaluationMap().isEmpty(), "the text encoder has no figures");

        Run stage2 = trainer.client.create(spec("stage2", 1, "\"textEncoderCheckpoint\":\"" + encoderCheckpoint + "\","
                + "\"stage1Checkpoint\":\"" + last(stage1Checkpoints).getId() + "\""));
        RunProgress stage2End = last(watch(stage2.getId()));
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, stage2End.getStatus(), stage2End.getError());
        assertRecordedSpecNamesCheckpointsByIdAndTimesAreSet(stage2.getId(), encoderCheckpoint,
                last(stage1Checkpoints).getId());
        trainer.bean(Journal.class).flush(Duration.ofSeconds(10));
        assertMetricsAreSteps1ToN(stage2.getId(), stage2End.getTotalSteps());
        assertEquals(1, trainer.stub().listRuns(ListRunsRequest.newBuilder().addStatus(RunStatus.RUN_STATUS_SUCCEEDED)
                .setKind(RunKind.RUN_KIND_STAGE1).build()).getRunsCount(), "filter by status and kind");
        assertPaging();

        StatusRuntimeException finished = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .cancelRun(CancelRunRequest.newBuilder().setRunId(stage2.getId()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, finished.getStatus().getCode());

        Checkpoint stage2Checkpoint = last(checkpoints(stage2.getId()));
        Bundle bundle = trainer.stub().exportBundle(ExportBundleRequest.newBuilder()
                .addCheckpointIds(stage2Checkpoint.getId()).setBundleId("tiny-test-1").build());
        assertEquals(List.of(stage2Checkpoint.getId()), bundle.getCheckpointIdsList());
        // promoted through the command line, as an operator does it
        String target = "127.0.0.1:" + trainer.server.getPort();
        CommandLine refused = TrainerCommand.commandLine();
        StringWriter err = new StringWriter();
        refused.setErr(new PrintWriter(err, true));
        assertEquals(1, refused.execute("promote", "--bundle-id", "no-such-bundle", "--target", target),
                "an unknown bundle fails and promotes nothing");
        assertTrue(err.toString().startsWith("stackgan-trainer promote: NOT_FOUND: "), err.toString());
        assertTrue(err.toString().contains("no-such-bundle"), err.toString());
        assertEquals(0, TrainerCommand.execute("promote", "--bundle-id", bundle.getBundleId(), "--target", target));
        Bundle promoted = trainer.stub().listBundles(ListBundlesRequest.getDefaultInstance()).getBundles(0);
        assertFalse(bundle.hasPromoteTime(), "not promoted when exported");
        assertTrue(promoted.hasPromoteTime());
        assertTrue(promoted.getPromoteTime().getSeconds() >= promoted.getCreateTime().getSeconds());
        Path models = work.resolve("models");
        assertEquals("tiny-test-1", Files.readString(models.resolve(Bundles.POINTER)).trim());
        assertEquals("tiny-test-1", BundleReader.read(models.resolve("tiny-test-1")).manifest().bundleId());
        assertEquals(1, trainer.stub().listBundles(ListBundlesRequest.getDefaultInstance()).getBundlesCount());

        // A checkpoint file changed after it was recorded: export is refused, naming the file.
        Path params = Path.of(trainer.bean(CheckpointRepository.class).findById(stage2Checkpoint.getId())
                .orElseThrow().path()).resolve("stage2_generator.params");
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length - 1] ^= 1;
        Files.write(params, bytes);
        StatusRuntimeException tampered = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(stage2Checkpoint.getId()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, tampered.getStatus().getCode());
        assertTrue(tampered.getStatus().getDescription().contains("stage2_generator.params"),
                tampered.getStatus().getDescription());
    }

    /** The typed spec names parent checkpoints by id (the database keeps their directories); times are set. */
    private void assertRecordedSpecNamesCheckpointsByIdAndTimesAreSet(long runId, long textEncoderCheckpoint,
                                                                       long stage1Checkpoint) {
        Run run = trainer.client.get(runId);
        assertEquals(RunKind.RUN_KIND_STAGE2, run.getKind());
        assertEquals(RunKind.RUN_KIND_STAGE2, run.getSpec().getKind());
        assertEquals(Preset.PRESET_TINY, run.getSpec().getPreset());
        assertEquals(textEncoderCheckpoint, run.getSpec().getTextEncoderCheckpointId());
        assertEquals(stage1Checkpoint, run.getSpec().getStage1CheckpointId());
        assertEquals(stage1Checkpoint, run.getParentCheckpointId());
        assertEquals(42, run.getSpec().getSeed());
        assertFalse(run.getSpec().hasEvaluationSamples(), "a field the caller left unset stays unset");
        assertEquals(Loss.LOSS_UNSPECIFIED, run.getSpec().getOverrides().getLoss());
        assertTrue(run.hasCreateTime() && run.hasStartTime() && run.hasFinishTime(), run.toString());
        assertTrue(run.getCreateTime().getSeconds() <= run.getStartTime().getSeconds()
                && run.getStartTime().getSeconds() <= run.getFinishTime().getSeconds(), run.toString());
        assertFalse(run.toString().contains(work.toString()), "no server path in the run: " + run);
    }

    private void assertPaging() {
        var first = trainer.stub().listRuns(ListRunsRequest.newBuilder().setPageSize(2).build());
        assertEquals(2, first.getRunsCount());
        var second = trainer.stub().listRuns(ListRunsRequest.newBuilder().setPageSize(2)
                .setPageToken(first.getNextPageToken()).build());
        assertTrue(second.getRuns(0).getId() < first.getRuns(1).getId(), "newest first, no overlap");
    }

    @Test
    void aDivergingRunIsRolledBackWithHalvedRatesAndTheEventsAreRecorded() throws Exception {
        Run encoder = trainer.client.create(spec("text-encoder", 1, ""));
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, last(watch(encoder.getId())).getStatus());
        long encoderCheckpoint = last(checkpoints(encoder.getId())).getId();
        Run diverging = trainer.client.create(spec("stage1", 1, "\"textEncoderCheckpoint\":\"" + encoderCheckpoint
                + "\",\"maxDivergenceRetries\":2,\"overrides\":{\"lrMultiplier\":" + DIVERGING_MULTIPLIER + "}"));
        List<RunProgress> watched = watch(diverging.getId());
        trainer.bean(Journal.class).flush(Duration.ofSeconds(10));
        List<Object> events = database.column("SELECT type FROM events WHERE run_id = ? ORDER BY id",
                diverging.getId());
        assertEquals(List.of("DIVERGENCE_ROLLED_BACK", "DIVERGENCE_ROLLED_BACK"), events, "lr x"
                + DIVERGING_MULTIPLIER + ": " + last(watched).getStatus() + " " + last(watched).getError());
        assertEquals(RunStatus.RUN_STATUS_FAILED, last(watched).getStatus());
        assertTrue(last(watched).getError().contains("diverged"));
        assertTrue(watched.stream().anyMatch(p -> p.getEvent().getType()
                == RunEventType.RUN_EVENT_TYPE_DIVERGENCE_ROLLED_BACK && p.getEvent().hasCreateTime()),
                "watchers see the events");
    }

    @Test
    void aRunningRunIsCancelledWithACheckpointAndResumesToTheEndReportingLostMetrics() throws Exception {
        Run run = trainer.client.create(spec("text-encoder", 30, "\"name\":\"cancel me\""));
        Run waiting = trainer.client.create(spec("text-encoder", 1, "\"name\":\"second in line\""));
        LiveRuns live = trainer.bean(LiveRuns.class);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (live.latest(run.getId()).map(RunProgress::getStep).orElse(0L) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(RunStatus.RUN_STATUS_QUEUED, trainer.client.get(waiting.getId()).getStatus(),
                "one slot: the second run waits while the first trains");
        assertEquals(RunStatus.RUN_STATUS_CANCELLED, trainer.stub().cancelRun(CancelRunRequest.newBuilder()
                .setRunId(waiting.getId()).build()).getStatus(), "a queued run is cancelled at once");
        assertEquals(RunStatus.RUN_STATUS_RUNNING, trainer.stub().cancelRun(CancelRunRequest.newBuilder()
                .setRunId(run.getId()).build()).getStatus(), "stops after its current step");
        RunProgress cancelled = last(watch(run.getId()));
        assertEquals(RunStatus.RUN_STATUS_CANCELLED, cancelled.getStatus());
        assertTrue(cancelled.getStep() < cancelled.getTotalSteps(), "cancelled mid-run");
        assertEquals(cancelled.getStep(), last(checkpoints(run.getId())).getStep(), "a checkpoint where it stopped");
        // a metric write lost with a killed process: the resumed run must say so, not leave a silent gap
        try (var connection = database.connect(); var delete = connection.prepareStatement(
                "DELETE FROM metrics WHERE run_id = ? AND step = 2")) {
            delete.setLong(1, run.getId());
            assertEquals(1, delete.executeUpdate());
        }

        assertEquals(RunStatus.RUN_STATUS_QUEUED, trainer.stub().resumeRun(ResumeRunRequest.newBuilder()
                .setRunId(run.getId()).build()).getStatus());
        RunProgress end = last(watch(run.getId()));
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, end.getStatus(), end.getError());
        trainer.bean(Journal.class).flush(Duration.ofSeconds(10));
        assertEquals(LongStream.rangeClosed(1, end.getTotalSteps()).filter(step -> step != 2).boxed().toList(),
                trainer.bean(MetricRepository.class).steps(run.getId()));
        assertEquals(List.of("CANCELLED", "RESUMED", "METRICS_MISSING"), database.column(
                "SELECT type FROM events WHERE run_id = ? ORDER BY id", run.getId()));
        assertEquals(List.of("1 of the " + cancelled.getStep() + " steps up to the resumed checkpoint have no metrics:"
                + " they were not yet written when the trainer stopped"), database.column(
                "SELECT message FROM events WHERE run_id = ? AND type = 'METRICS_MISSING'", run.getId()));
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> trainer.stub()
                .resumeRun(ResumeRunRequest.newBuilder().setRunId(run.getId()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
    }

    @Test
    void twoSlotsTrainTwoRunsAtOnceAndEachDrawsItsOwnCurve(@TempDir Path other) throws Exception {
        TestData.birds(other.resolve("data/birds"), 48, 5);
        try (TestDatabase db = new TestDatabase();
             TrainerHarness two = new TrainerHarness(db.url(), other,
                     Map.of("stackgan.trainer.max-concurrent-runs", 2))) {
            // the same spec twice: every step reseeds the engine under the process-wide lock, so interleaved runs
            // must still draw identical curves
            Run first = two.client.create(spec("text-encoder", 3, "\"name\":\"first\""));
            Run second = two.client.create(spec("text-encoder", 3, "\"name\":\"second\""));
            LiveRuns live = two.bean(LiveRuns.class);
            boolean together = false;
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!together && System.nanoTime() < deadline) {
                together = running(live, first.getId()) && running(live, second.getId());
                Thread.sleep(5);
            }
            assertTrue(together, "both runs train at the same time");
            for (Run run : List.of(first, second)) {
                List<RunProgress> watched = new ArrayList<>();
                two.client.watch(run.getId(), watched::add);
                assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, last(watched).getStatus(), last(watched).getError());
            }
            two.bean(Journal.class).flush(Duration.ofSeconds(10));
            String losses = "SELECT discriminator_loss FROM metrics WHERE run_id = ? ORDER BY step";
            List<Object> firstCurve = db.column(losses, first.getId());
            assertFalse(firstCurve.isEmpty());
            assertEquals(firstCurve, db.column(losses, second.getId()));
        }
    }

    private static boolean running(LiveRuns live, long runId) {
        return live.latest(runId).map(p -> p.getStatus() == RunStatus.RUN_STATUS_RUNNING && p.getStep() > 0)
                .orElse(false);
    }

    @Test
    void aMaximumOfZeroConcurrentRunsIsAConfigurationError(@TempDir Path other) {
        TrainerApplication.StartupException e = assertThrows(TrainerApplication.StartupException.class,
                () -> TrainerApplication.start(new String[0], TrainerHarness.properties(database.url(), other,
                        TrainerHarness.freePort(), Map.of("stackgan.trainer.max-concurrent-runs", 0))));
        assertTrue(e.getMessage().contains("stackgan.trainer.max-concurrent-runs must be at least 1, got 0"),
                e.getMessage());
    }

    static final String DIVERGING_MULTIPLIER = String.valueOf(TinyModels.DIVERGING_LR_MULTIPLIER);

    private List<RunProgress> watch(long runId) {
        List<RunProgress> all = new ArrayList<>();
        trainer.client.watch(runId, all::add);
        return all;
    }

    private List<Checkpoint> checkpoints(long runId) throws InterruptedException {
        trainer.bean(Journal.class).flush(Duration.ofSeconds(10));
        return trainer.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build())
                .getCheckpointsList();
    }

    private void assertMetricsAreSteps1ToN(long runId, long steps) throws Exception {
        assertTrue(steps > 0);
        assertEquals(LongStream.rangeClosed(1, steps).boxed().toList(),
                trainer.bean(MetricRepository.class).steps(runId));
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
