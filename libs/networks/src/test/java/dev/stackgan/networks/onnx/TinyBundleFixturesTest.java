package dev.stackgan.networks.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.fixtures.ExampleCaptions;
import dev.stackgan.fixtures.TinyBundleFiles;
import dev.stackgan.networks.config.Preset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test-fixtures module ships tiny bundles that the serving tests load without libtorch. This test exports them
 * again with today's exporter and fails when they differ, so they cannot silently go stale; with
 * {@code -Dfixtures.regenerate=true} it writes the fresh export into the fixtures' sources instead.
 */
class TinyBundleFixturesTest {

    private static final Path SOURCES = Path.of("..", "test-fixtures", "src", "main", "resources", "dev", "stackgan",
            "fixtures");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shippedTinyBundlesAreWhatTheExporterWritesToday(@TempDir Path repository) throws Exception {
        Vocabulary vocabulary = Vocabulary.build(ExampleCaptions.lines(), 1);
        boolean regenerate = Boolean.getBoolean("fixtures.regenerate");
        for (int seed : TinyBundleFiles.SEEDS) {
            Path fresh = BundleExporter.exportFresh(repository, "tiny-seed" + seed, Preset.TINY.model(vocabulary.size()),
                    vocabulary, seed);
            try (Stream<Path> files = Files.list(fresh)) {
                assertEquals(TinyBundleFiles.FILES.stream().sorted().toList(),
                        files.map(f -> f.getFileName().toString()).sorted().toList(),
                        "the exporter's files changed: update TinyBundleFiles.FILES");
            }
            if (regenerate) {
                Path target = SOURCES.resolve(TinyBundleFiles.folder(seed));
                Files.createDirectories(target);
                for (String name : TinyBundleFiles.FILES) {
                    Files.copy(fresh.resolve(name), target.resolve(name),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                continue;
            }
            Path shipped = TinyBundleFiles.copyTo(repository.resolve("shipped-" + seed), seed);
            for (String name : TinyBundleFiles.FILES) {
                String hint = "test-fixtures " + TinyBundleFiles.folder(seed) + "/" + name
                        + " differs from a fresh export; regenerate (test-fixtures README)";
                if (name.equals("manifest.json")) {
                    assertEquals(withoutExportTime(fresh.resolve(name)), withoutExportTime(shipped.resolve(name)), hint);
                } else {
                    assertArrayEquals(Files.readAllBytes(fresh.resolve(name)), Files.readAllBytes(shipped.resolve(name)),
                            hint);
                }
            }
        }
    }

    private static JsonNode withoutExportTime(Path manifest) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(manifest.toFile());
        tree.remove(List.of("createdAt"));
        return tree;
    }
}
