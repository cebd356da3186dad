package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.datasets.TestData;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trainer processes on one database and one runs directory: four queued runs spread over both; one worker is
 * killed (SIGKILL) mid-run and the other takes its run over when the lease lapses, from the newest checkpoint.
 * Every run ends SUCCEEDED, was claimed once (the killed run twice: before and after the kill), and has the steps
 * 1..N once each.
 */
class SharedDatabaseWorkersTest {

    private static final Pattern CLAIM = Pattern.compile("worker (\\S+) claims run (\\d+) ");

    @Test
    void twoTrainersShareTheQueueAndTheSurvivorFinishesTheKilledWorkersRun(@TempDir Path work) throws Exception {
        TestData.birds(work.resolve("data/birds"), 48, 5);
        try (TestDatabase database = new TestDatabase()) {
            int portA = TrainerHarness.freePort();
            int portB = TrainerHarness.freePort();
            Process a = TrainerHarness.startProcess(database, work, portA, "worker-a",
                    Map.of("stackgan.trainer.worker-id", "worker-a"));
            Process b = TrainerHarness.startProcess(database, work, portB, "worker-b",
                    Map.of("stackgan.trainer.worker-id", "worker-b"));
            try (TrainerClient clientA = TrainerHarness.connect(a, work, "worker-a", portA);
                 TrainerClient clientB = TrainerHarness.connect(b, work, "worker-b", portB)) {
                List<Long> ids = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    ids.add(clientA.create(TrainerServiceTest.spec("text-encoder", 40, "\"name\":\"shared " + i
                            + "\"")).getId());
                }
                long killed = awaitWorkerAPastACheckpointWhileBTrains(database);
                a.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, its lease is never given back
                System.out.println("worker-a killed while training run " + killed);

                for (long id : ids) {
                    Run done = clientB.awaitStatus(id, RunStatus.RUN_STATUS_SUCCEEDED, Duration.ofMinutes(5));
                    assertEquals(LongStream.rangeClosed(1, done.getTotalSteps()).boxed().map(Object.class::cast)
                            .toList(), database.column("SELECT step FROM metrics WHERE run_id = ? ORDER BY step",
                            id), "run " + id + ": steps 1..N, none missing, none twice");
                    List<Object> events = database.column("SELECT type FROM events WHERE run_id = ? ORDER BY id",
                            id);
                    assertEquals(id == killed ? List.of("INTERRUPTED", "RESUMED") : List.of(), events,
                            "run " + id);
                }
                assertTrue(database.column("SELECT message FROM events WHERE run_id = ? AND type = 'INTERRUPTED'",
                        killed).get(0).toString().startsWith("worker worker-a stopped renewing its lease"));

                Map<Long, List<String>> claims = claims(work, "worker-a", "worker-b");
                for (long id : ids) {
                    assertEquals(id == killed ? List.of("worker-a", "worker-b") : List.of(claims.get(id).get(0)),
                            claims.get(id), "who claimed run " + id);
                }
                Set<String> workers = new HashSet<>();
                claims.values().forEach(workers::addAll);
                assertEquals(Set.of("worker-a", "worker-b"), workers, "both workers trained runs");
            } finally {
                a.destroyForcibly().waitFor();
                b.destroy();
                b.waitFor();
            }
        }
    }

    /** The run worker-a trains once it has a checkpoint and metrics past it, while worker-b trains another run. */
    private static long awaitWorkerAPastACheckpointWhileBTrains(TestDatabase database) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            List<Object> bRuns = database.column("SELECT id FROM runs WHERE worker_id = 'worker-b'"
                    + " AND status = 'RUNNING'");
            List<Object> aRuns = database.column("SELECT r.id FROM runs r WHERE r.worker_id = 'worker-a'"
                    + " AND r.status = 'RUNNING' AND (SELECT max(step) FROM metrics m WHERE m.run_id = r.id)"
                    + " > (SELECT max(step) FROM checkpoints c WHERE c.run_id = r.id AND c.step > 0)");
            if (!aRuns.isEmpty() && !bRuns.isEmpty()) {
                return (Long) aRuns.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("worker-a never trained past a checkpoint while worker-b trained");
    }

    /** Run id -> the workers that claimed it, in order, from the workers' logs. */
    private static Map<Long, List<String>> claims(Path work, String... names) throws Exception {
        Map<Long, List<String>> claims = new TreeMap<>();
        for (String name : names) {
            Matcher m = CLAIM.matcher(Files.readString(work.resolve(name + ".log")));
            while (m.find()) {
                claims.computeIfAbsent(Long.parseLong(m.group(2)), id -> new ArrayList<>()).add(m.group(1));
            }
        }
        return claims;
    }
}
