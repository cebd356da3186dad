package dev.stackgan.trainer.cli;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.trainer.config.Preset;
import dev.stackgan.trainer.onnx.BundleExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a bundle of untrained (freshly initialized) networks into a serving model repository and promotes it, so
 * the serving stack can run before a trained model ships. Run with {@code -Dai.djl.offline=true}.
 *
 * <pre>
 * ExportFreshBundle REPOSITORY_DIR [--bundle-id ID] [--preset small|tiny|paper] [--captions FILE] [--seed N]
 * </pre>
 * The vocabulary is built from the captions file (every word seen at least once); by default the repository's
 * shared/data/cub_example_captions.txt, found in a parent of the working directory.
 */
public final class ExportFreshBundle {

    /** The serving runtime's pointer file (serving-runtime ModelRepository.POINTER): the bundle id to serve. */
    private static final String POINTER = "CURRENT";
    private static final Path SHARED_CAPTIONS = Path.of("shared", "data", "cub_example_captions.txt");

    private ExportFreshBundle() {
    }

    public static void main(String[] args) throws IOException, BundleException {
        if (args.length == 0 || args.length % 2 == 0 || args[0].startsWith("--")) {
            System.err.println("usage: ExportFreshBundle REPOSITORY_DIR [--bundle-id ID] [--preset small|tiny|paper]"
                    + " [--captions FILE] [--seed N]");
            System.exit(2);
        }
        Path repository = Path.of(args[0]);
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        Preset preset = Preset.parse(options.getOrDefault("--preset", Preset.SMALL.id()));
        long seed = Long.parseLong(options.getOrDefault("--seed", "1"));
        String bundleId = options.getOrDefault("--bundle-id", "fresh-" + preset.id() + "-seed" + seed);
        Path captions = options.containsKey("--captions") ? Path.of(options.get("--captions")) : sharedCaptions();

        List<String> lines = Files.readAllLines(captions, StandardCharsets.UTF_8);
        Vocabulary vocabulary = Vocabulary.build(lines, 1);
        Files.createDirectories(repository);
        Path bundle = BundleExporter.exportFresh(repository, bundleId, preset.model(vocabulary.size()), vocabulary,
                seed);
        promote(repository, bundleId);
        System.out.println("exported " + bundle + " (preset " + preset.id() + ", " + vocabulary.size()
                + " words from " + captions + ") and promoted it in " + repository.resolve(POINTER));
    }

    /** Renamed into place from the same directory, so a polling service never reads half a pointer. */
    private static void promote(Path repository, String bundleId) throws IOException {
        Path temp = Files.writeString(repository.resolve("." + POINTER + ".export"), bundleId + "\n");
        Files.move(temp, repository.resolve(POINTER), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path sharedCaptions() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SHARED_CAPTIONS))) {
                return dir.resolve(SHARED_CAPTIONS);
            }
        }
        throw new IllegalArgumentException(SHARED_CAPTIONS + " not found in any parent of "
                + Path.of("").toAbsolutePath() + "; pass --captions FILE");
    }
}
