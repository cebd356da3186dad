package dev.stackgan.bundle;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.stackgan.bundle.BundleManifest.FileEntry;
import dev.stackgan.bundle.BundleManifest.GraphEntry;
import dev.stackgan.bundle.BundleManifest.SourceCheckpoint;
import dev.stackgan.bundle.BundleManifest.TokenizerFacts;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.text.Tokenizer;
import dev.stackgan.bundle.text.Vocabulary;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a model bundle so that no reader ever sees half of one: the files go into a hidden temporary sibling
 * directory, are fsynced, the manifest is written last, the result is verified with {@link BundleReader}, and only
 * then is the directory renamed to its final name. Bundles are immutable: an existing bundle directory is never
 * overwritten.
 */
public final class BundleWriter {

    private final Clock clock;

    public BundleWriter() {
        this(Clock.systemUTC());
    }

    /** @param clock source of the manifest's {@code createdAt} */
    public BundleWriter(Clock clock) {
        this.clock = clock;
    }

    /**
     * Writes the bundle into {@code bundlesRoot/bundleId}.
     *
     * @param bundleId    unique id, e.g. {@code stackgan-birds-20261104-153000-1a2b3c4d}; also the directory name
     * @param graphs      the exported ONNX bytes of exactly the graphs {@link ModelGraphs#ALL}, keyed by name
     * @return the bundle directory
     * @throws BundleException naming the id, the directory or the file that is wrong, or the bundle file the reader
     *                         refused when verifying the result
     */
    public Path write(Path bundlesRoot, String bundleId, ModelConfig config, Vocabulary vocabulary,
                      List<SourceCheckpoint> checkpoints, Map<String, byte[]> graphs) throws BundleException {
        if (!BundleManifest.isSafeName(bundleId)) {
            throw new BundleException(bundleId, "not a valid bundle id: it must be " + BundleManifest.SAFE_NAME_RULE);
        }
        if (!graphs.keySet().equals(Set.copyOf(ModelGraphs.ALL))) {
            throw new BundleException(bundleId, "graphs given are " + graphs.keySet() + ", a bundle holds exactly "
                    + ModelGraphs.ALL);
        }
        Path target = bundlesRoot.resolve(bundleId);
        refuseExisting(target);
        Path staging = null;
        try {
            Files.createDirectories(bundlesRoot);
            // Same parent as the target, so the final rename stays on one file system and is atomic.
            staging = Files.createTempDirectory(bundlesRoot, "." + bundleId + ".partial-");
            BundleManifest manifest = writeContents(staging, bundleId, config, vocabulary, checkpoints, graphs);
            writeSynced(staging.resolve(BundleManifest.FILE), ManifestJson.toBytes(manifest));
            BundleReader.read(staging);
            fsync(staging);
            // Between this check and the rename another writer could take the id; ids carry a random suffix.
            refuseExisting(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            fsync(bundlesRoot);
            return target;
        } catch (IOException e) {
            throw new BundleException(target.toString(), "cannot write bundle: " + e, e);
        } finally {
            deleteQuietly(staging);
        }
    }

    private BundleManifest writeContents(Path dir, String bundleId, ModelConfig config, Vocabulary vocabulary,
                                         List<SourceCheckpoint> checkpoints, Map<String, byte[]> graphs)
            throws IOException {
        List<String> written = new ArrayList<>();
        vocabulary.write(dir.resolve(BundleManifest.VOCABULARY_FILE));
        fsync(dir.resolve(BundleManifest.VOCABULARY_FILE));
        written.add(BundleManifest.VOCABULARY_FILE);
        List<GraphEntry> graphEntries = new ArrayList<>();
        for (String graph : ModelGraphs.ALL) {
            String file = graph + ".onnx";
            writeSynced(dir.resolve(file), graphs.get(graph));
            written.add(file);
            graphEntries.add(GraphEntry.of(file, ModelGraphs.forName(graph, config)));
        }
        List<FileEntry> files = new ArrayList<>();
        for (String file : written) {
            Path path = dir.resolve(file);
            files.add(new FileEntry(file, Files.size(path), FileDigest.sha256(path)));
        }
        TokenizerFacts tokenizer = new TokenizerFacts(Tokenizer.RULE_ID, config.text().maxWords(),
                BundleManifest.VOCABULARY_FILE, vocabulary.size(), Vocabulary.PAD_ID, Vocabulary.UNKNOWN_ID);
        return new BundleManifest(BundleManifest.FORMAT_VERSION, bundleId,
                clock.instant().truncatedTo(ChronoUnit.MILLIS), checkpoints, config, tokenizer, graphEntries, files);
    }

    private static void refuseExisting(Path target) throws BundleException {
        if (Files.exists(target, NOFOLLOW_LINKS)) {
            throw new BundleException(target.toString(), "already exists; bundles are immutable, "
                    + "write under a new bundle id");
        }
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, CREATE_NEW, WRITE);
        fsync(file);
    }

    /** Flushes a file's bytes, or a directory's entries, to the device before the bundle is published. */
    private static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, Files.isDirectory(path) ? READ : WRITE)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Best effort: a leftover hidden .partial directory is never mistaken for a bundle (it has no final name).
        }
    }
}
