package dev.stackgan.serving.micronaut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.DefaultBundle;
import dev.stackgan.serving.DynamicBatcherTest;
import dev.stackgan.serving.ModelLease;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle shipped in the jar, served by a repository built from {@code stackgan.serving.*} as the services build
 * it: real resources, real ONNX Runtime sessions (the Stage-I graph, the cheapest to load), real tiny bundles.
 */
class DefaultBundleTest {

    private static final ServedGraph STAGE1 = new ServedGraph(ModelGraphs.STAGE1, Stage1ServiceGrpc.SERVICE_NAME);

    @TempDir
    Path repository;

    @Test
    void emptyRepositoryServesTheShippedBundleUntilOneIsPromoted() throws Exception {
        ServingConfiguration config = config(true);
        String shipped = DefaultBundle.shipped().bundleId();
        Path extracted;
        try (ModelRepository models = repository(config)) {
            ModelRepository.State state = models.reload();
            assertTrue(state.ready(), "serves without a promoted bundle: " + state);
            assertEquals(shipped, state.current());
            try (ModelLease lease = models.lease(null)) {
                assertEquals(shipped, lease.model().bundle().manifest().bundleId(), "the index names the manifest");
                extracted = lease.model().bundle().directory();
                assertFalse(extracted.startsWith(repository), "extracted outside the repository: " + extracted);
                int size = lease.model().config().stage1().imageSize();
                float[] image = lease.model().run(DynamicBatcherTest.stage1Inputs(lease.model(), 1, 3))
                        .get(ModelGraphs.IMAGE);
                assertEquals(3 * size * size, image.length);
            }
            assertEquals(List.of(), entries(repository), "nothing is written into the repository");

            // An empty pointer is no pointer: still the shipped bundle, and no load error.
            Files.writeString(repository.resolve(ModelRepository.POINTER), "\n");
            state = models.reload();
            assertEquals(shipped, state.current());
            assertNull(state.lastError());

            // A promotion hot-swaps to it; the shipped bundle stays loaded for requests pinned to it.
            TinyBundles.export(repository, "tiny-promoted", 1);
            ModelRepository.promote(repository, "tiny-promoted");
            state = models.reload();
            assertEquals("tiny-promoted", state.current());
            assertEquals(List.of("tiny-promoted", shipped), state.loadedVersions());
            try (ModelLease lease = models.lease(null)) {
                float[] image = lease.model().run(DynamicBatcherTest.stage1Inputs(lease.model(), 1, 3))
                        .get(ModelGraphs.IMAGE);
                assertEquals(3 * 16 * 16, image.length, "the tiny bundle's 16 px Stage-I");
            }
            try (ModelLease pinned = models.lease(shipped)) {
                assertEquals(shipped, pinned.model().version());
            }

            // The shipped bundle never replaces a promoted bundle that serves, even if its pointer goes away.
            Files.delete(repository.resolve(ModelRepository.POINTER));
            assertEquals("tiny-promoted", models.reload().current());
        }
        assertFalse(Files.exists(extracted), "close() deletes the extraction: " + extracted);
    }

    @Test
    void withTheKeyOffAnEmptyRepositoryStaysNotReady() throws Exception {
        assertTrue(new ServingConfiguration().isDefaultBundle(), "on by default");
        try (ModelRepository models = repository(config(false))) {
            assertFalse(models.reload().ready());
            Files.writeString(repository.resolve(ModelRepository.POINTER), "");
            ModelRepository.State state = models.reload();
            assertFalse(state.ready());
            assertNull(state.lastError(), "an empty pointer is not a load error");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> models.lease(null));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertEquals("no model is loaded yet from " + repository, e.getStatus().getDescription());
        }
    }

    private ServingConfiguration config(boolean defaultBundle) {
        ServingConfiguration config = new ServingConfiguration();
        config.setModelRepository(repository);
        config.setExecutionProvider("cpu");
        config.setIntraOpThreads(1);
        config.setInterOpThreads(1);
        config.setDefaultBundle(defaultBundle);
        return config;
    }

    private static ModelRepository repository(ServingConfiguration config) {
        ServingFactory factory = new ServingFactory();
        return factory.modelRepository(config, STAGE1, factory.ortRuntime(config),
                new ModelServiceMetrics(new SimpleMeterRegistry(), STAGE1));
    }

    private static List<Path> entries(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }
}
