package dev.stackgan.bundle;

import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.text.Vocabulary;
import java.nio.file.Path;

/**
 * A bundle directory that {@link BundleReader} has verified: every file matched its checksum, the graph signatures
 * and the tokenizer agree with the model config.
 */
public record ModelBundle(Path directory, BundleManifest manifest, Vocabulary vocabulary) {

    /** The ONNX file of {@code graphName} (one of {@link dev.stackgan.bundle.graph.ModelGraphs#ALL}). */
    public Path graphFile(String graphName) {
        return directory.resolve(entry(graphName).file());
    }

    /** The inputs and outputs {@code graphName} was exported with (equal to what the config implies). */
    public GraphSignature signature(String graphName) {
        return entry(graphName).signature();
    }

    private BundleManifest.GraphEntry entry(String graphName) {
        return manifest.graph(graphName).orElseThrow(() -> new IllegalArgumentException(
                "bundle " + manifest.bundleId() + " has no graph '" + graphName + "'"));
    }
}
