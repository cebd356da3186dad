package dev.stackgan.serving.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackgan.bundle.BundleManifest;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.fixtures.ExampleCaptions;
import dev.stackgan.fixtures.TinyBundleFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real bundles of the tiny preset (16 px Stage-I, 32 px Stage-II) with fresh weights, from the test-fixtures
 * module: exported by the trainer's BundleExporter ahead of time, so serving tests need no libtorch. Different
 * seeds give different weights, i.e. different bundle versions.
 */
public final class TinyBundles {

    /** The two versions service tests serve: same config, different weights. */
    public static final String V1 = "tiny-v1";
    public static final String V2 = "tiny-v2";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Vocabulary vocabulary;

    private TinyBundles() {
    }

    /**
     * Installs seed {@code seed}'s bundle as {@code bundleId} in {@code repository} and returns its directory; the
     * manifest is renamed to the id (no checksum covers the manifest itself).
     */
    public static Path export(Path repository, String bundleId, int seed) {
        Path bundle = TinyBundleFiles.copyTo(repository.resolve(bundleId), seed);
        Path manifest = bundle.resolve(BundleManifest.FILE);
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(manifest.toFile());
            tree.put("bundleId", bundleId);
            JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bundle;
    }

    /** Installs {@link #V1} and {@link #V2} into {@code repository} (nothing promoted yet). */
    public static void exportVersions(Path repository) {
        export(repository, V1, 1);
        export(repository, V2, 2);
    }

    /** The bundles' vocabulary: every word of the example captions. */
    public static synchronized Vocabulary vocabulary() {
        if (vocabulary == null) {
            vocabulary = Vocabulary.build(ExampleCaptions.lines(), 1);
        }
        return vocabulary;
    }

    /** A word the vocabulary knows, for captions that must encode without unknown words. */
    public static String knownWord(int rank) {
        List<String> words = vocabulary().words();
        return words.get(Vocabulary.UNKNOWN_ID + 1 + rank);
    }

    /** Flips one byte of the bundle's Stage-I graph so that its checksum no longer matches. */
    public static void corrupt(Path bundle) {
        try (var files = Files.list(bundle)) {
            Path graph = files.filter(f -> f.getFileName().toString().contains("stage1")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(graph);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(graph, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
