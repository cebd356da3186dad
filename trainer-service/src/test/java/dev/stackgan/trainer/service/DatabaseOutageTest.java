package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.TestData;
import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.GetRunRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database away at start (fail fast, naming the URL) and in the middle of a run (training goes on), also longer
 * than the journal holds (metric rows dropped and stated, new runs refused).
 */
class DatabaseOutageTest {

    @Test
    void anUnreachableDatabaseAtStartFailsFastNamingTheJdbcUrl(@TempDir Path work) {
        String url = "jdbc:postgresql://127.0.0.1:" + TrainerHarness.freePort() + "/stackgan";
        long started = System.nanoTime();
        TrainerApplication.StartupException e = assertThrows(TrainerApplication.StartupException.class,
                () -> TrainerApplication.start(new String[0], TrainerHarness.properties(url, work,
                        TrainerHarness.freePort(), Map.of())));
        System.out.println("start refused: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot connect to the database at " + url), e.getMessage());
        assertTrue(System.nanoTime() - started < 30e9, "fails within the connection timeout");
    }

    @Test
    void metricsAreBufferedWhileTheDatabaseIsAwayAndWrittenWhenItReturns(@TempDir Path work) throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        try (TestDatabase database = new TestDatabase(); TcpProxy proxy = new TcpProxy(5432);
             TrainerHarness trainer = new TrainerHarness(database.url(proxy.port), work,
                     Map.of("datasources.default.connection-timeout", 500))) {
            Run run = trainer.client.create(TrainerServiceTest.spec("text-encoder", 40, ""));
            LiveRuns live = trainer.bean(LiveRuns.class);
            Journal journal = trainer.bean(Journal.class);
            long cutAt = awaitStep(live, run.getId(), step -> step >= 10);
            proxy.cut();
            awaitStep(live, run.getId(), step -> step >= cutAt + 40);
            assertTrue(journal.pending() > 0, "records wait in memory");
            StatusRuntimeException down = assertThrows(StatusRuntimeException.class,
                    () -> trainer.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build()));
            assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode(), down.getStatus().getDescription());
            System.out.println("while the database was away: " + journal.pending() + " records buffered; "
                    + down.getStatus().getDescription());
            HttpResponse<String> notReady = trainer.get("/health/readiness");
            assertEquals(503, notReady.statusCode(), notReady.body());
            assertTrue(notReady.body().contains("the database does not answer (datasources.default.url)"),
                    notReady.body());
            PrometheusScrape away = PrometheusScrape.of(trainer.http());
            assertEquals(0, away.value("stackgan_trainer_database_up"), away.text());
            assertTrue(away.value("stackgan_trainer_journal_pending_records") > 0, away.text());
            proxy.open();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!List.of("SUCCEEDED").equals(database.column("SELECT status FROM runs WHERE id = ?",
                    run.getId())) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(journal.flush(Duration.ofSeconds(30)));
            assertEquals(200, trainer.get("/health/readiness").statusCode(), "ready again");
            Run done = trainer.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(dev.stackgan.proto.v1.RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError());
            assertEquals(LongStream.rangeClosed(1, done.getTotalSteps()).boxed().map(Object.class::cast).toList(),
                    database.column("SELECT step FROM metrics WHERE run_id = ? ORDER BY step", run.getId()),
                    "no metric lost or doubled");
        }
    }

    @Test
    void aFullJournalDropsOnlyMetricRowsRefusesNewRunsAndStatesTheDropsInTheRunsEvents(@TempDir Path work)
            throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        int capacity = 8;
        try (TestDatabase database = new TestDatabase(); TcpProxy proxy = new TcpProxy(5432);
             TrainerHarness trainer = new TrainerHarness(database.url(proxy.port), work,
                     Map.of("datasources.default.connection-timeout", 500,
                             "stackgan.trainer.journal-capacity", capacity))) {
            // checkpoints at step 0 and the end only: the outage buffers metric rows
            RunSpec spec = TrainerServiceTest.typedSpec("text-encoder", 40, "").toBuilder()
                    .setSnapshotEveryEpochs(1000).build();
            Run run = trainer.client.create(spec);
            LiveRuns live = trainer.bean(LiveRuns.class);
            Journal journal = trainer.bean(Journal.class);
            AtomicInteger mostBuffered = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    mostBuffered.accumulateAndGet(journal.pending(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            long cutAt = awaitStep(live, run.getId(), step -> step >= 10);
            proxy.cut();
            awaitStep(live, run.getId(), step -> step >= cutAt + 4 * capacity);

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> trainer.client.create(spec));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("CreateRun refused")
                    && refused.getStatus().getDescription().contains("journal-capacity " + capacity),
                    refused.getStatus().getDescription());
            PrometheusScrape away = PrometheusScrape.of(trainer.http());
            assertEquals(capacity, away.value("stackgan_trainer_journal_pending_records"), away.text());
            assertEquals(capacity, away.value("stackgan_trainer_journal_capacity_records"), away.text());
            assertTrue(away.value("stackgan_trainer_journal_dropped_records_total") > 0, away.text());
            assertEquals(1, away.value("stackgan_trainer_journal_refusals_total"), away.text());

            proxy.open();
            assertTrue(journal.flush(Duration.ofSeconds(60)), "backlog and the drop event written");
            // the rest of the run is not needed (and slow on a loaded machine): it ends at its next step
            trainer.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
            RunProgress end = trainer.client.watch(run.getId(), p -> { });
            assertEquals(dev.stackgan.proto.v1.RunStatus.RUN_STATUS_CANCELLED, end.getStatus(), end.getError());
            assertTrue(journal.flush(Duration.ofSeconds(30)));
            sampling.set(false);
            sampler.join();
            assertEquals(capacity, mostBuffered.get(), "the journal filled up to its capacity and never beyond");

            long dropped = journal.dropped();
            // each step 1..last sent one metric row
            long lastStep = (Long) database.column("SELECT max(step) FROM metrics WHERE run_id = ?", run.getId())
                    .get(0);
            long written = database.column("SELECT step FROM metrics WHERE run_id = ?", run.getId()).size();
            assertTrue(dropped >= 3 * capacity, "dropped " + dropped);
            assertEquals(lastStep - written, dropped, "every step lacking its metrics was counted");
            assertEquals(dropped, PrometheusScrape.of(trainer.http())
                    .value("stackgan_trainer_journal_dropped_records_total"));
            List<Object> stated = database.column("SELECT message FROM events WHERE run_id = ? AND type ="
                    + " 'METRICS_MISSING'", run.getId());
            assertEquals(1, stated.size(), stated.toString());
            assertTrue(stated.get(0).toString().startsWith("metrics of " + dropped + " steps were dropped"),
                    stated.toString());
            System.out.println("journal of capacity " + capacity + ": " + dropped + " metric rows dropped; event: "
                    + stated.get(0));
        }
    }

    private static long awaitStep(LiveRuns live, long runId, LongPredicate reached) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            long step = live.latest(runId).map(RunProgress::getStep).orElse(0L);
            if (reached.test(step)) {
                return step;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("run " + runId + " did not reach the step in time");
    }
}
