package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, hot swap and refusal of broken bundles, on real tiny bundles and ONNX Runtime sessions. */
class ModelRepositoryTest {

    @TempDir
    static Path bundles;
    @TempDir
    Path repository;
    ModelRepository models;

    @BeforeAll
    static void exportBundles() {
        for (int version = 1; version <= 3; version++) {
            TinyBundles.export(bundles, "v" + version, version);
        }
    }

    @BeforeEach
    void emptyRepository() {
        models = new ModelRepository(repository, ModelGraphs.STAGE1, new OrtRuntime(ExecutionProvider.CPU, 1, 1), 2);
    }

    @AfterEach
    void close() {
        models.close();
    }

    @Test
    void notReadyUntilAVersionIsPromoted() throws Exception {
        assertFalse(models.reload().ready());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> models.lease(null));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("no model is loaded"), e.getMessage());

        install("v1");
        ModelRepository.promote(repository, "v1");
        ModelRepository.State state = models.reload();
        assertTrue(state.ready());
        assertEquals("v1", state.current());
        try (ModelLease lease = models.lease(null)) {
            assertEquals("v1", lease.model().version());
        }
    }

    @Test
    void pollerPicksUpAPromotedVersion() throws Exception {
        install("v1");
        models.start(Duration.ofMillis(50));
        ModelRepository.promote(repository, "v1");
        for (int i = 0; i < 600 && !models.state().ready(); i++) {
            Thread.sleep(50);
        }
        assertEquals("v1", models.state().current());
    }

    @Test
    void hotSwapWhileRequestsRunFailsNoRequestAndServesTheNewVersionAfter() throws Exception {
        install("v1");
        install("v2");
        ModelRepository.promote(repository, "v1");
        models.reload();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> versions = new ConcurrentLinkedQueue<>();
        AtomicBoolean swapped = new AtomicBoolean();
        try (DynamicBatcher batcher = new DynamicBatcher(
                new BatchingPolicy(8, Duration.ofMillis(2), 64, true, 1), "t")) {
            CompletableFuture<Void> clients = CompletableFuture.allOf(client(batcher, failures, versions, swapped),
                    client(batcher, failures, versions, swapped));
            Thread.sleep(200);
            ModelRepository.promote(repository, "v2");
            assertEquals("v2", models.reload().current());
            swapped.set(true);
            clients.get(60, TimeUnit.SECONDS);
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertTrue(versions.contains("v1"), "requests ran before the swap");
        assertEquals("v2", versions.stream().reduce((a, b) -> b).orElseThrow(), "last request after the swap");
        assertEquals(List.of("v2", "v1"), models.state().loadedVersions());
    }

    /** Keeps sending requests on the current version until 5 have run after the swap. */
    private CompletableFuture<Void> client(DynamicBatcher batcher, ConcurrentLinkedQueue<Throwable> failures,
                                           ConcurrentLinkedQueue<String> versions, AtomicBoolean swapped) {
        return CompletableFuture.runAsync(() -> {
            int afterSwap = 0;
            while (afterSwap < 5 && failures.isEmpty()) {
                boolean wasSwapped = swapped.get();
                try (ModelLease lease = models.lease(null)) {
                    batcher.submit(lease.model(), DynamicBatcherTest.stage1Inputs(lease.model(), 1, 7), null)
                            .get(30, TimeUnit.SECONDS);
                    versions.add(lease.model().version());
                } catch (Exception e) {
                    failures.add(e);
                }
                afterSwap += wasSwapped ? 1 : 0;
            }
        });
    }

    @Test
    void corruptNewVersionKeepsTheOldOneServingAndSaysWhy() throws Exception {
        install("v1");
        Path broken = install("v2");
        TinyBundles.corrupt(broken);
        ModelRepository.promote(repository, "v1");
        models.reload();
        ModelRepository.promote(repository, "v2");
        ModelRepository.State state = models.reload();
        assertEquals("v1", state.current());
        assertEquals("v2", state.lastErrorVersion());
        assertTrue(state.lastError().contains("sha256 mismatch"), state.lastError());
        assertTrue(state.lastError().contains("stage1"), "names the file: " + state.lastError());
        try (ModelLease lease = models.lease(null)) {
            assertEquals("v1", lease.model().version());
            DynamicBatcherTest.stage1Inputs(lease.model(), 1, 0);
            lease.model().run(DynamicBatcherTest.stage1Inputs(lease.model(), 1, 0));
        }
        // Rolling the pointer back clears the error.
        ModelRepository.promote(repository, "v1");
        assertNull(models.reload().lastError());
    }

    @Test
    void onlyTheLastTwoVersionsStayLoadedAndOlderOnesAreRefusedByName() throws Exception {
        for (String version : List.of("v1", "v2", "v3")) {
            install(version);
            ModelRepository.promote(repository, version);
            models.reload();
        }
        assertEquals(List.of("v3", "v2"), models.state().loadedVersions());
        try (ModelLease lease = models.lease("v2")) {
            assertEquals("v2", lease.model().version());
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> models.lease("v1"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("model_version 'v1' is not loaded here; available: [v3, v2]", e.getStatus().getDescription());
    }

    @Test
    void aRetiredVersionFinishesItsPinnedRequestBeforeClosing() throws Exception {
        install("v1");
        install("v2");
        install("v3");
        ModelRepository.promote(repository, "v1");
        models.reload();
        try (ModelLease pinned = models.lease("v1")) {
            ModelRepository.promote(repository, "v2");
            models.reload();
            ModelRepository.promote(repository, "v3");
            models.reload();
            assertFalse(models.state().loadedVersions().contains("v1"));
            Map<String, float[]> out = pinned.model().run(DynamicBatcherTest.stage1Inputs(pinned.model(), 1, 0));
            assertEquals(3 * 16 * 16, out.get(ModelGraphs.IMAGE).length);
        }
    }

    /**
     * With overlap-intra-op-threads a loaded version gets a second session, which computes what the full one does;
     * without (the runtime above: one thread, no overlap threads) it has one session.
     */
    @Test
    void overlapThreadsLoadASecondSessionOfTheSameGraph() throws Exception {
        install("v1");
        ModelRepository.promote(repository, "v1");
        models.reload();
        try (ModelLease lease = models.lease(null)) {
            assertFalse(lease.model().hasOverlapSession());
        }
        OrtRuntime overlapping = new OrtRuntime(ExecutionProvider.CPU, 2, 1, 1, false,
                OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (ModelRepository twoSessions = new ModelRepository(repository, ModelGraphs.STAGE1, overlapping, 2)) {
            twoSessions.reload();
            try (ModelLease lease = twoSessions.lease(null)) {
                LoadedModel model = lease.model();
                assertTrue(model.hasOverlapSession());
                Map<String, InputRows> inputs = DynamicBatcherTest.stage1Inputs(model, 3, 7);
                float[] alone = model.run(inputs, false).get(ModelGraphs.IMAGE);
                float[] overlapped = model.run(inputs, true).get(ModelGraphs.IMAGE);
                assertEquals(3 * 3 * 16 * 16, overlapped.length);
                assertArrayEquals(alone, overlapped, 1e-5f);
            }
        }
    }

    private Path install(String version) throws Exception {
        Path target = repository.resolve(version);
        try (var files = java.nio.file.Files.walk(bundles.resolve(version))) {
            for (Path source : (Iterable<Path>) files::iterator) {
                java.nio.file.Files.copy(source, target.resolve(bundles.resolve(version).relativize(source)
                        .toString()));
            }
        }
        return target;
    }
}
