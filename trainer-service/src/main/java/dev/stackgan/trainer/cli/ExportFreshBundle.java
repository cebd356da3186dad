package dev.stackgan.trainer.cli;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.onnx.BundleExporter;
import dev.stackgan.trainer.service.Bundles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Exports a bundle of untrained (freshly initialized) networks into a serving model repository and promotes it, so
 * the serving stack can run, and be measured, before a trained model ships. The vocabulary is every word of the
 * given captions.
 */
@Command(name = "export-fresh", description = "Exports a bundle of untrained networks into a model repository and"
        + " promotes it (for serving before a model is trained, and for the benchmarks).")
public final class ExportFreshBundle implements Callable<Integer> {

    @Option(names = "--repository", required = true, paramLabel = "DIR", description = "the model repository")
    Path repository;
    @Option(names = "--captions", required = true, paramLabel = "FILE",
            description = "captions, one per line: the vocabulary is every word in them")
    Path captions;
    @Option(names = "--preset", defaultValue = "small", paramLabel = "NAME",
            description = "tiny, small or paper (default: ${DEFAULT-VALUE})")
    String preset;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
            description = "seed of the weights (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--bundle-id", paramLabel = "ID", description = "(default: fresh-PRESET-seedN)")
    String bundleId;

    @Override
    public Integer call() throws IOException, BundleException {
        Preset chosen = Preset.parse(preset);
        List<String> lines = Files.readAllLines(captions, StandardCharsets.UTF_8);
        Path bundle = exportAndPromote(repository, bundleId == null ? "fresh-" + chosen.id() + "-seed" + seed
                : bundleId, chosen, lines, seed);
        System.out.println("exported " + bundle + " (preset " + chosen.id() + ", vocabulary of " + captions
                + ") and promoted it in " + repository.resolve(Bundles.POINTER));
        return 0;
    }

    /** Exports the bundle and points the repository's CURRENT at it; returns the bundle directory. */
    public static Path exportAndPromote(Path repository, String bundleId, Preset preset, List<String> captions,
                                        long seed) throws IOException, BundleException {
        Vocabulary vocabulary = Vocabulary.build(captions, 1);
        Files.createDirectories(repository);
        Path bundle = BundleExporter.exportFresh(repository, bundleId, preset.model(vocabulary.size()), vocabulary,
                seed);
        Bundles.writePointer(repository, bundleId);
        return bundle;
    }
}
