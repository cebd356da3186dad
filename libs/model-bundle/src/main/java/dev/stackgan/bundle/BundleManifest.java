package dev.stackgan.bundle;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.TensorSpec;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@value #FILE} of a model bundle: what was trained, how captions are tokenized, the graphs' signatures and a
 * checksum for every other file. JSON property names are the record component names (camelCase), as in
 * {@link ModelConfig}.
 *
 * @param formatVersion     layout version of this manifest; readers refuse versions they do not know
 * @param bundleId          unique id chosen by the trainer, also the bundle's directory name when written
 * @param createdAt         when the bundle was written
 * @param sourceCheckpoints the training checkpoints the graphs were exported from
 * @param modelConfig       every network dimension; graph signatures and the tokenizer facts must agree with it
 * @param tokenizer         how services must turn captions into token ids
 * @param graphs            the three ONNX graphs, in {@link dev.stackgan.bundle.graph.ModelGraphs#ALL} order
 * @param files             size and sha256 of every file in the bundle except this manifest
 */
public record BundleManifest(int formatVersion, String bundleId, Instant createdAt,
                             List<SourceCheckpoint> sourceCheckpoints, ModelConfig modelConfig,
                             TokenizerFacts tokenizer, List<GraphEntry> graphs, List<FileEntry> files) {

    public static final String FILE = "manifest.json";
    /**
     * Version 2 added {@code modelConfig.variants.stage2Residual} and {@code discriminatorSpectralNorm}; a version-1
     * manifest reads as false for both.
     */
    public static final int FORMAT_VERSION = 2;
    public static final List<Integer> SUPPORTED_FORMAT_VERSIONS = List.of(1, FORMAT_VERSION);
    public static final String VOCABULARY_FILE = "vocab.txt";

    /** Bundle ids and bundle file names: one plain directory entry, never a path. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    public static final String SAFE_NAME_RULE = "1 to 128 of [A-Za-z0-9._-], not '.' or '..'";

    public BundleManifest {
        sourceCheckpoints = List.copyOf(sourceCheckpoints);
        graphs = List.copyOf(graphs);
        files = List.copyOf(files);
    }

    /**
     * @param kind  {@code text-encoder}, {@code stage1} or {@code stage2}
     * @param path  where the checkpoint was, as the trainer saw it
     * @param epoch epoch the checkpoint was saved after
     * @param step  optimizer step the checkpoint was saved after
     */
    public record SourceCheckpoint(String kind, String path, String sha256, int epoch, long step) {
        public static final List<String> KINDS = List.of("text-encoder", "stage1", "stage2");
    }

    /**
     * @param rule           {@link dev.stackgan.bundle.text.Tokenizer#RULE_ID} at training time
     * @param maxWords       token ids per caption fed to the text encoder
     * @param vocabularyFile the bundle file holding one word per line, line n = id n - 1
     */
    public record TokenizerFacts(String rule, int maxWords, String vocabularyFile, int vocabularySize, int padId,
                                 int unknownId) {
    }

    /** One ONNX graph: its bundle file and the inputs and outputs it was exported with. */
    public record GraphEntry(String name, String file, List<TensorSpec> inputs, List<TensorSpec> outputs) {
        public GraphEntry {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        static GraphEntry of(String file, GraphSignature signature) {
            return new GraphEntry(signature.name(), file, signature.inputs(), signature.outputs());
        }

        public GraphSignature signature() {
            return new GraphSignature(name, inputs, outputs);
        }
    }

    /** @param sha256 lowercase hex SHA-256 of the file's bytes */
    public record FileEntry(String file, long size, String sha256) {
    }

    public Optional<GraphEntry> graph(String name) {
        return graphs.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    public Optional<FileEntry> file(String name) {
        return files.stream().filter(f -> f.file().equals(name)).findFirst();
    }

    /** True for a name that stays inside the directory it is resolved against. */
    public static boolean isSafeName(String name) {
        return SAFE_NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
