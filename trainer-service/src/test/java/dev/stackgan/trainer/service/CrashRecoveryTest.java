package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.TestData;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real trainer process mid-run: on restart the run is INTERRUPTED, resumes from its last checkpoint
 * and SUCCEEDS, and its metrics are the steps 1..N once each.
 */
class CrashRecoveryTest {

    @Test
    void aKilledTrainerResumesItsRunOnRestartWithoutGapsOrDuplicateSteps(@TempDir Path work) throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        try (TestDatabase database = new TestDatabase()) {
            int port = TrainerHarness.freePort();
            Process first = TrainerHarness.startProcess(database, work, port, "first", Map.of());
            Run run;
            try (TrainerClient client = TrainerHarness.connect(first, work, "first", port)) {
                run = client.create(TrainerServiceTest.spec("text-encoder", 60, ""));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            long checkpointStep = -1;
            long metricStep = -1;
            while (System.nanoTime() < deadline) {
                List<Object> checkpoints = database.column(
                        "SELECT max(step) FROM checkpoints WHERE run_id = ? AND step > 0", run.getId());
                List<Object> metrics = database.column("SELECT max(step) FROM metrics WHERE run_id = ?", run.getId());
                if (checkpoints.get(0) != null && metrics.get(0) != null
                        && (Long) metrics.get(0) > (Long) checkpoints.get(0)) {
                    checkpointStep = (Long) checkpoints.get(0);
                    metricStep = (Long) metrics.get(0);
                    break;
                }
                Thread.sleep(10);
            }
            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no final writes
            assertTrue(checkpointStep > 0, "a checkpoint and further metrics were recorded before the kill: "
                    + log(work, "first"));
            System.out.println("killed at checkpoint step " + checkpointStep + ", metrics up to step " + metricStep);
            assertEquals(List.of("RUNNING"), database.column("SELECT status FROM runs WHERE id = ?", run.getId()));

            Process second = TrainerHarness.startProcess(database, work, port, "second", Map.of());
            try (TrainerClient client = TrainerHarness.connect(second, work, "second", port)) {
                Run done = client.awaitStatus(run.getId(), RunStatus.RUN_STATUS_SUCCEEDED, Duration.ofMinutes(3));
                List<Object> events = database.column("SELECT type FROM events WHERE run_id = ? ORDER BY id",
                        run.getId());
                assertEquals(List.of("INTERRUPTED", "RESUMED"), events.subList(0, 2), events.toString());
                assertEquals(LongStream.rangeClosed(1, done.getTotalSteps()).boxed().map(Object.class::cast)
                        .toList(), database.column("SELECT step FROM metrics WHERE run_id = ? ORDER BY step",
                        run.getId()), "steps 1..N, none missing, none twice");
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static String log(Path work, String name) throws IOException {
        return Files.readString(work.resolve(name + ".log"));
    }
}
