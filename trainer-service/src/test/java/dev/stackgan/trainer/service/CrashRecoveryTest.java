package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.TestData;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.cli.TrainerCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
            Process first = startTrainer(database, work, port, "first");
            Run run;
            try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + port, Duration.ofMinutes(1))) {
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

            Process second = startTrainer(database, work, port, "second");
            try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + port, Duration.ofMinutes(1))) {
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

    /** A trainer in its own JVM on the test classpath, logging to {@code work/<name>.log}. */
    private static Process startTrainer(TestDatabase database, Path work, int port, String name)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dai.djl.offline=true");
        command.add("-Dai.djl.default_engine=PyTorch");
        for (Map.Entry<String, Object> p : TrainerHarness.properties(database.url(), work, port, Map.of())
                .entrySet()) {
            command.add("-D" + p.getKey() + "=" + p.getValue());
        }
        command.add(TrainerCommand.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    private static String log(Path work, String name) throws IOException {
        return Files.readString(work.resolve(name + ".log"));
    }
}
