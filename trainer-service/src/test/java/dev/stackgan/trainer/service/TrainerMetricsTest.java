package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.TestData;
import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.ListCheckpointsRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunStatus;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's HTTP port: readiness with the database, and the metrics of one tiny run trained to the end. */
class TrainerMetricsTest {

    @Test
    void readinessAndTheMetricsOfAFinishedRun(@TempDir Path work) throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        try (TestDatabase database = new TestDatabase();
             TrainerHarness trainer = new TrainerHarness(database.url(), work, Map.of())) {
            assertEquals(200, trainer.get("/health/liveness").statusCode());
            HttpResponse<String> ready = trainer.get("/health/readiness");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains(database.url()), ready.body());
            PrometheusScrape before = PrometheusScrape.of(trainer.http());
            assertEquals(0, before.value("stackgan_trainer_runs", "state", "SUCCEEDED"), before.text());

            Run run = trainer.client.create(TrainerServiceTest.spec("text-encoder", 2, ""));
            List<RunProgress> watched = new ArrayList<>();
            trainer.client.watch(run.getId(), watched::add);
            RunProgress end = watched.get(watched.size() - 1);
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, end.getStatus(), end.getError());
            assertTrue(trainer.bean(Journal.class).flush(Duration.ofSeconds(10)));
            int checkpoints = trainer.stub().listCheckpoints(ListCheckpointsRequest.newBuilder()
                    .setRunId(run.getId()).build()).getCheckpointsCount();
            PrometheusScrape after = PrometheusScrape.of(trainer.http());

            assertEquals(1, after.value("stackgan_trainer_runs", "state", "SUCCEEDED"), after.text());
            assertEquals(0, after.value("stackgan_trainer_runs", "state", "RUNNING"));
            assertEquals(3, checkpoints, "step 0 and one per epoch");
            assertEquals(checkpoints, after.value("stackgan_trainer_checkpoints_written_total",
                    "kind", "text-encoder"));
            assertEquals(end.getTotalSteps(), after.value("stackgan_trainer_step_duration_seconds_count",
                    "kind", "text-encoder"));
            assertEquals(0, after.value("stackgan_trainer_divergence_rollbacks_total"));
            assertEquals(1, after.value("stackgan_trainer_database_up"));
            assertEquals(0, after.value("stackgan_trainer_journal_pending_records"));
            assertTrue(after.has("stackgan_trainer_journal_pending_records"));
            String runLabel = Long.toString(run.getId());
            assertFalse(after.has("stackgan_trainer_images_per_second", "run", runLabel),
                    "a run's live gauges go when it ends");
            assertFalse(after.has("stackgan_trainer_loss", "run", runLabel));
        }
    }
}
