package dev.stackgan.serving.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension for a service test class: one application started before the class's tests over a fresh
 * repository serving {@link TinyBundles#V1} (current) and {@link TinyBundles#V2} (loaded), stopped and deleted after.
 * Use as {@code @RegisterExtension static final TwoVersionService service = new TwoVersionService(4);}.
 */
public final class TwoVersionService implements BeforeAllCallback, AfterAllCallback {

    private final int maxBatchSize;
    private Path repository;
    private ServiceHarness harness;

    public TwoVersionService(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        repository = Files.createTempDirectory("model-repository");
        harness = ServiceHarness.servingTwoVersions(repository, maxBatchSize);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        harness.close();
        try (Stream<Path> files = Files.walk(repository)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    public ServiceHarness harness() {
        return harness;
    }

    public Path repository() {
        return repository;
    }
}
