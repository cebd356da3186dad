package dev.stackgan.trainer.run;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.train.NetworkFiles;
import dev.stackgan.networks.train.ParameterOptimizer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One checkpoint: a directory with every network's weights, every optimizer's state, the counters, the model
 * config and the vocabulary. It is self-contained: a GAN stage's checkpoint also holds the frozen networks it trained
 * against (text encoder, Stage-I generator), so a Stage-II checkpoint alone can be exported as a bundle.
 *
 * <p>Written into a hidden temporary directory, every file fsynced, then renamed into place: a crash leaves either
 * a complete checkpoint or an orphaned temporary directory that {@link #cleanOrphans} removes.
 */
public final class Checkpoint {

    public static final String TEXT_ENCODER = "text_encoder";
    public static final String IMAGE_ENCODER = "image_encoder";
    public static final String STAGE1_GENERATOR = "stage1_generator";
    public static final String STAGE1_DISCRIMINATOR = "stage1_discriminator";
    public static final String STAGE2_GENERATOR = "stage2_generator";
    public static final String STAGE2_DISCRIMINATOR = "stage2_discriminator";
    /** Suffix of a generator's moving average (TrainingConfig#generatorEma), e.g. stage1_generator_ema. */
    public static final String AVERAGE_SUFFIX = "_ema";

    public static final String STATE_FILE = "state.json";
    static final String CONFIG_FILE = "model_config.json";
    static final String VOCABULARY_FILE = "vocab.txt";
    public static final String SAMPLES_FILE = "samples.png";
    /** Names a checkpoint directory being written; {@link #cleanOrphans} removes those a crash left. */
    public static final String TEMPORARY_PREFIX = ".partial-";
    private static final Pattern NAME = Pattern.compile("epoch-\\d{5}-step-\\d{9}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Where training stands.
     *
     * @param kind                 the run kind id
     * @param epoch                epoch in progress (0-based)
     * @param batchesDoneInEpoch   batches of that epoch already trained
     * @param step                 steps trained in all
     * @param divergenceHalvings   learning-rate halvings applied by the divergence guard so far
     * @param trainedSeconds       wall time the run has trained up to this checkpoint, across resumes (0 in old files)
     */
    public record State(String kind, int epoch, int batchesDoneInEpoch, long step, int divergenceHalvings,
                        double trainedSeconds) {
    }

    private final Path directory;
    private final State state;

    private Checkpoint(Path directory, State state) {
        this.directory = directory;
        this.state = state;
    }

    public Path directory() {
        return directory;
    }

    public State state() {
        return state;
    }

    public static String directoryName(State state) {
        return String.format("epoch-%05d-step-%09d", state.epoch(), state.step());
    }

    /** Writes a checkpoint under {@code parent} and returns it. */
    public static Checkpoint write(Path parent, State state, ModelConfig config, Vocabulary vocabulary,
                                   Map<String, Block> networks, Map<String, ParameterOptimizer> optimizers,
                                   byte[] samplesPng) throws IOException {
        Path target = parent.resolve(directoryName(state));
        // replacing: the same position written again after a roll-back
        writeDirectory(target, true, temporary -> {
            writeFile(temporary.resolve(STATE_FILE), JSON.writeValueAsBytes(state));
            writeFile(temporary.resolve(CONFIG_FILE), JSON.writeValueAsBytes(config));
            writeFile(temporary.resolve(VOCABULARY_FILE),
                    (String.join("\n", vocabulary.words()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Map.Entry<String, Block> e : networks.entrySet()) {
                NetworkFiles.save(e.getValue(), temporary.resolve(e.getKey() + ".params"));
            }
            for (Map.Entry<String, ParameterOptimizer> e : optimizers.entrySet()) {
                NetworkFiles.writeAtomically(temporary.resolve(e.getKey() + ".opt"), e.getValue()::save);
            }
            if (samplesPng != null) {
                writeFile(temporary.resolve(SAMPLES_FILE), samplesPng);
            }
        });
        return new Checkpoint(target, state);
    }

    public static Checkpoint read(Path directory) throws IOException {
        Path stateFile = directory.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(directory + ": not a checkpoint (no " + STATE_FILE + ")");
        }
        return new Checkpoint(directory, JSON.readValue(stateFile.toFile(), State.class));
    }

    /** The newest complete checkpoint under {@code parent}, by step. */
    public static Optional<Checkpoint> latest(Path parent) throws IOException {
        List<Checkpoint> all = list(parent);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints under {@code parent}, oldest first. */
    public static List<Checkpoint> list(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .map(p -> {
                        try {
                            return read(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sorted(Comparator.comparingLong((Checkpoint c) -> c.state().step()))
                    .toList();
        }
    }

    /** Removes temporary directories left by a crash mid-write; returns how many. */
    public static int cleanOrphans(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> children = Files.list(parent)) {
            for (Path child : children.filter(p -> p.getFileName().toString().startsWith(TEMPORARY_PREFIX)).toList()) {
                deleteTree(child);
                removed++;
            }
        }
        return removed;
    }

    public ModelConfig modelConfig() throws IOException {
        return JSON.readValue(directory.resolve(CONFIG_FILE).toFile(), ModelConfig.class);
    }

    public Vocabulary vocabulary() throws IOException {
        return Vocabulary.read(directory.resolve(VOCABULARY_FILE));
    }

    public boolean hasNetwork(String name) {
        return Files.isRegularFile(directory.resolve(name + ".params"));
    }

    /**
     * The network to draw images with for a generator name: its moving average when this checkpoint holds one (what
     * samples, evaluation and export use), otherwise the generator itself.
     */
    public String imageNetwork(String generator) {
        return hasNetwork(generator + AVERAGE_SUFFIX) ? generator + AVERAGE_SUFFIX : generator;
    }

    public void loadNetwork(String name, Block network, NDManager manager) throws IOException {
        Path file = directory.resolve(name + ".params");
        if (!Files.isRegularFile(file)) {
            throw new IOException(directory + ": has no network " + name);
        }
        NetworkFiles.load(network, manager, file);
    }

    public void loadOptimizer(String name, ParameterOptimizer optimizer) throws IOException {
        try (InputStream raw = Files.newInputStream(directory.resolve(name + ".opt"));
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            optimizer.load(in);
        }
    }

    /**
     * Copies what a next stage loads and freezes from this checkpoint into {@code target} (which must not exist):
     * state, config, vocabulary, the text and image encoders and, of a Stage-I checkpoint, the generator it draws
     * with ({@link #imageNetwork}). Discriminators and optimizer state stay behind, so the copy cannot resume
     * this run; it is a parent for the next one.
     */
    public Checkpoint copyAsParent(Path target) throws IOException {
        if (RunKind.parse(state.kind()) == RunKind.STAGE2) {
            throw new IllegalArgumentException(directory + " is a stage2 checkpoint, which is no run's parent:"
                    + " export a bundle from it instead");
        }
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists");
        }
        List<Path> files = new ArrayList<>();
        for (String file : List.of(STATE_FILE, CONFIG_FILE, VOCABULARY_FILE)) {
            files.add(directory.resolve(file));
        }
        for (String network : requiredNetworks()) {
            files.add(directory.resolve(network + ".params"));
        }
        copyFiles(files, target);
        return read(target);
    }

    /**
     * The networks a checkpoint of this kind must hold to be a run's parent or to be exported: the text and image
     * encoders, for a GAN stage the Stage-I generator (its average when it has one), for Stage-II also its own.
     */
    public List<String> requiredNetworks() {
        RunKind kind = RunKind.parse(state.kind());
        List<String> networks = new ArrayList<>(List.of(TEXT_ENCODER, IMAGE_ENCODER));
        if (kind != RunKind.TEXT_ENCODER) {
            networks.add(imageNetwork(STAGE1_GENERATOR));
        }
        if (kind == RunKind.STAGE2) {
            networks.add(imageNetwork(STAGE2_GENERATOR));
        }
        return networks;
    }

    /** Copies regular files into the new directory {@code target} as checkpoints are written ({@link #write}). */
    public static void copyFiles(List<Path> files, Path target) throws IOException {
        writeDirectory(target, false, temporary -> {
            for (Path file : files) {
                Path copy = temporary.resolve(file.getFileName().toString());
                Files.copy(file, copy, LinkOption.NOFOLLOW_LINKS);
                fsync(copy);
            }
        });
    }

    /** Writes a directory's files, each made durable before it returns. */
    @FunctionalInterface
    private interface DirectoryContents {
        void writeInto(Path directory) throws IOException;
    }

    /**
     * Writes {@code contents} into a temporary sibling of {@code target}, makes the directory durable and renames it
     * into place (replacing an existing {@code target} only when asked): a crash never leaves a half-written
     * checkpoint under the final name, and a written one survives a power cut.
     */
    private static void writeDirectory(Path target, boolean replace, DirectoryContents contents) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempDirectory(parent, TEMPORARY_PREFIX);
        try {
            contents.writeInto(temporary);
            fsync(temporary);
            if (replace && Files.exists(target)) {
                deleteTree(target);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(parent);
        } finally {
            if (Files.exists(temporary)) {
                deleteTree(temporary);
            }
        }
    }

    public Path samples() {
        return directory.resolve(SAMPLES_FILE);
    }

    private static void writeFile(Path file, byte[] bytes) throws IOException {
        NetworkFiles.writeAtomically(file, out -> out.write(bytes));
    }

    /** Forces a file's or a directory's contents (a directory's: its entries) to disk. */
    private static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
