package dev.stackgan.serving.testing;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.trainer.config.Preset;
import dev.stackgan.trainer.onnx.BundleExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real bundles with fresh weights of the tiny preset (16 px Stage-I, 32 px Stage-II), exported by the trainer's
 * {@link BundleExporter}. Different seeds give different weights, i.e. different bundle versions.
 */
public final class TinyBundles {

    /** The two versions service tests serve: same config, different weights. */
    public static final String V1 = "tiny-v1";
    public static final String V2 = "tiny-v2";

    private static final Path CAPTIONS = Path.of("shared", "data", "cub_example_captions.txt");
    private static Vocabulary vocabulary;

    private TinyBundles() {
    }

    /** Exports bundle {@code bundleId} into {@code repository} and returns its directory. */
    public static Path export(Path repository, String bundleId, long seed) {
        try {
            return BundleExporter.exportFresh(repository, bundleId, Preset.TINY.model(vocabulary().size()),
                    vocabulary(), seed);
        } catch (BundleException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exports {@link #V1} and {@link #V2} into {@code repository} (nothing promoted yet). */
    public static void exportVersions(Path repository) {
        export(repository, V1, 1);
        export(repository, V2, 2);
    }

    public static synchronized Vocabulary vocabulary() {
        if (vocabulary == null) {
            try {
                vocabulary = Vocabulary.build(Files.readAllLines(captionsFile()), 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vocabulary;
    }

    /** A word the vocabulary knows, for captions that must encode without unknown words. */
    public static String knownWord(int rank) {
        List<String> words = vocabulary().words();
        return words.get(Vocabulary.UNKNOWN_ID + 1 + rank);
    }

    /** The example captions live in shared/ beside the repository: walk up from the working directory to find it. */
    private static Path captionsFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(CAPTIONS))) {
                return dir.resolve(CAPTIONS);
            }
        }
        throw new IllegalStateException(CAPTIONS + " not found in any parent of " + Path.of("").toAbsolutePath());
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
