package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Deadline;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batcher on real Stage-I sessions of two tiny bundle versions. */
public class DynamicBatcherTest {

    @TempDir
    static Path repository;
    static ModelRepository models;

    @BeforeAll
    static void loadTwoVersions() throws Exception {
        TinyBundles.export(repository, "v1", 1);
        TinyBundles.export(repository, "v2", 2);
        models = new ModelRepository(repository, ModelGraphs.STAGE1, new OrtRuntime(ExecutionProvider.CPU, 1, 1), 2);
        ModelRepository.promote(repository, "v1");
        models.reload();
        ModelRepository.promote(repository, "v2");
        models.reload();
        assertEquals(List.of("v2", "v1"), models.state().loadedVersions());
    }

    @AfterAll
    static void close() {
        models.close();
    }

    @Test
    void concurrentRequestsMergeIntoFewerRunsAndGetTheirOwnRows() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofSeconds(1), 64, true, 1), "t");
             ModelLease lease = models.lease("v2")) {
            List<CompletableFuture<Map<String, float[]>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, i), null));
            }
            for (CompletableFuture<Map<String, float[]>> result : results) {
                result.get(30, TimeUnit.SECONDS);
            }
            assertEquals(8, batcher.rowsRun());
            assertTrue(batcher.runs() < 8, "8 requests within the queue delay ran in " + batcher.runs() + " runs");
            // Request i's slice is what request i alone produces.
            float[] alone = lease.model().run(stage1Inputs(lease.model(), 1, 5)).get(ModelGraphs.IMAGE);
            assertArrayEquals(alone, results.get(5).get().get(ModelGraphs.IMAGE), 1e-4f);
        }
    }

    @Test
    void loneRequestOnAnIdleBatcherRunsWithoutTheQueueDelay() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofSeconds(20), 64, false, 1), "t");
             ModelLease lease = models.lease("v2")) {
            long start = System.nanoTime();
            batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 0), null).get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "a lone request waited " + seconds + " s of the 20 s queue delay");
            assertEquals(1, batcher.runs());
        }
    }

    /**
     * A client that sends its next request the moment its answer arrives (here: on the batcher's own thread, as the
     * answer completes) finds the batcher idle, so its lone request does not wait the queue delay either.
     */
    @Test
    void requestSentAsTheLastAnswerArrivesRunsWithoutTheQueueDelay() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofSeconds(20), 64, false, 1), "t");
             ModelLease lease = models.lease("v2")) {
            long start = System.nanoTime();
            batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 0), null)
                    .thenCompose(first -> batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 1), null))
                    .get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "the follow-up request waited " + seconds + " s of the 20 s queue delay");
            assertEquals(2, batcher.runs());
        }
    }

    @Test
    void requestsForDifferentVersionsAreNeverMerged() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofMillis(300), 64, true, 1), "t");
             ModelLease v1 = models.lease("v1");
             ModelLease v2 = models.lease("v2")) {
            var a = batcher.submit(v1.model(), stage1Inputs(v1.model(), 2, 0), null);
            var b = batcher.submit(v2.model(), stage1Inputs(v2.model(), 2, 0), null);
            var c = batcher.submit(v1.model(), stage1Inputs(v1.model(), 2, 0), null);
            CompletableFuture.allOf(a, b, c).get(30, TimeUnit.SECONDS);
            assertEquals(2, batcher.runs());
            assertArrayEquals(a.get().get(ModelGraphs.IMAGE), c.get().get(ModelGraphs.IMAGE));
            assertTrue(!java.util.Arrays.equals(a.get().get(ModelGraphs.IMAGE), b.get().get(ModelGraphs.IMAGE)),
                    "v1 and v2 have different weights");
        }
    }

    @Test
    void deadlinePassingWhileQueuedAnswersDeadlineExceededWithoutRunning() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofSeconds(3), 64, true, 1), "t");
             ModelLease lease = models.lease("v2")) {
            var result = batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 0),
                    Deadline.after(100, TimeUnit.MILLISECONDS));
            Status status = statusOf(result);
            assertEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode());
            assertTrue(status.getDescription().contains("waited in the queue"), status.getDescription());
            assertEquals(0, batcher.runs());
        }
    }

    @Test
    void fullQueueRejectsWithResourceExhausted() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(16, Duration.ofSeconds(2), 2, true, 1), "t");
             ModelLease lease = models.lease("v2")) {
            var first = batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 0), null);
            var second = batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 1), null);
            var third = batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, 2), null);
            Status status = statusOf(third);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
            assertTrue(status.getDescription().contains("batching.max-queue-size 2"), status.getDescription());
            CompletableFuture.allOf(first, second).get(30, TimeUnit.SECONDS);
            assertEquals(1, batcher.runs());
        }
    }

    /**
     * Two instances run two batches at once, each on its own worker thread, and a batch that starts while the other
     * is busy says it overlapped; one instance runs them one after the other, never overlapped. Forty requests of 4
     * rows each, queued at once, with batches of at most 4 rows: 40 runs either way.
     */
    @Test
    void instancesRunThatManyBatchesAtOnce() throws Exception {
        for (int instances = 1; instances <= 2; instances++) {
            List<long[]> runSpans = Collections.synchronizedList(new ArrayList<>());
            Set<String> workers = ConcurrentHashMap.newKeySet();
            AtomicInteger overlappedRuns = new AtomicInteger();
            DynamicBatcher.Listener listener = (rows, runNanos, waitNanos, overlapped) -> {
                long end = System.nanoTime();
                runSpans.add(new long[] {end - runNanos, end});
                workers.add(Thread.currentThread().getName());
                overlappedRuns.addAndGet(overlapped ? 1 : 0);
            };
            try (DynamicBatcher batcher = new DynamicBatcher(
                    new BatchingPolicy(4, Duration.ZERO, 64, true, instances), "t", listener);
                 ModelLease lease = models.lease("v2")) {
                List<CompletableFuture<Map<String, float[]>>> results = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    results.add(batcher.submit(lease.model(), stage1Inputs(lease.model(), 4, i), null));
                }
                CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                assertEquals(40, batcher.runs());
            }
            assertEquals(instances, workers.size(), "worker threads that ran batches: " + workers);
            long overlapping = 0;
            for (long[] a : runSpans) {
                for (long[] b : runSpans) {
                    overlapping += a != b && a[0] < b[1] && b[0] < a[1] ? 1 : 0;
                }
            }
            if (instances == 1) {
                assertEquals(0, overlapping, "one instance ran batches at the same time");
                assertEquals(0, overlappedRuns.get(), "one instance reported overlapped runs");
            } else {
                assertTrue(overlapping > 0, "two instances never ran two batches at the same time");
                assertTrue(overlappedRuns.get() > 0 && overlappedRuns.get() < 40,
                        overlappedRuns + " of 40 runs overlapped; the first starts alone, later ones beside another");
            }
        }
    }

    /**
     * Requests one at a time all run on the first worker and never overlapped, though a second worker is free: a
     * lone run that changed threads each time was slower.
     */
    @Test
    void requestsOneAtATimeRunOnTheFirstWorker() throws Exception {
        Set<String> workers = ConcurrentHashMap.newKeySet();
        AtomicInteger overlappedRuns = new AtomicInteger();
        DynamicBatcher.Listener listener = (rows, runNanos, waitNanos, overlapped) -> {
            workers.add(Thread.currentThread().getName());
            overlappedRuns.addAndGet(overlapped ? 1 : 0);
        };
        try (DynamicBatcher batcher = new DynamicBatcher(new BatchingPolicy(4, Duration.ZERO, 64, false, 2), "t",
                listener);
             ModelLease lease = models.lease("v2")) {
            for (int i = 0; i < 20; i++) {
                batcher.submit(lease.model(), stage1Inputs(lease.model(), 1, i), null).get(30, TimeUnit.SECONDS);
                // a client's round trip: the worker is done answering (it counts as busy until then) before the next
                Thread.sleep(50);
            }
            assertEquals(20, batcher.runs());
        }
        assertEquals(Set.of("batcher-t-0"), workers);
        assertEquals(0, overlappedRuns.get());
    }

    @Test
    void instancesBelowOneAreRefusedNamingTheSetting() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new BatchingPolicy(8, Duration.ZERO, 64, false, 0));
        assertEquals("batching.instances must be >= 1, got 0", refused.getMessage());
    }

    public static Map<String, InputRows> stage1Inputs(LoadedModel model, int rows, long seed) {
        int c = model.config().conditionDim();
        int z = model.config().noiseDim();
        float[] conditions = new float[rows * c];
        float[] noise = new float[rows * z];
        for (int i = 0; i < rows; i++) {
            Seeds.Noise n = Seeds.noise(seed + i, c, z);
            System.arraycopy(n.stage1CaEpsilon(), 0, conditions, i * c, c);
            System.arraycopy(n.z(), 0, noise, i * z, z);
        }
        return Map.of(ModelGraphs.CONDITION, new InputRows.Floats(conditions, new long[] {c}),
                ModelGraphs.NOISE, new InputRows.Floats(noise, new long[] {z}));
    }

    static Status statusOf(CompletableFuture<?> result) throws Exception {
        try {
            result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        }
        throw new AssertionError("expected the request to fail");
    }
}
