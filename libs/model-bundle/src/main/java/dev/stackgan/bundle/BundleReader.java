package dev.stackgan.bundle;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackgan.bundle.BundleManifest.FileEntry;
import dev.stackgan.bundle.BundleManifest.GraphEntry;
import dev.stackgan.bundle.BundleManifest.SourceCheckpoint;
import dev.stackgan.bundle.BundleManifest.TokenizerFacts;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.bundle.text.Tokenizer;
import dev.stackgan.bundle.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and verifies a model bundle directory. Everything a service relies on is checked before it gets a
 * {@link ModelBundle}: the manifest's format and config, the checksum of every file, the graph signatures against
 * {@link ModelGraphs} and the tokenizer against this build's {@link Tokenizer}. The first problem found is thrown as a
 * {@link BundleException} whose message starts with the file it is in. Cheap manifest checks run before the
 * graph files are hashed.
 */
public final class BundleReader {

    private static final String MANIFEST = BundleManifest.FILE;

    private BundleReader() {
    }

    public static ModelBundle read(Path directory) throws BundleException {
        BundleManifest manifest = readManifest(directory);
        ModelConfig config = manifest.modelConfig();
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw new BundleException(MANIFEST, "invalid modelConfig: " + e.getMessage());
        }
        if (!BundleManifest.isSafeName(manifest.bundleId())) {
            throw new BundleException(MANIFEST, "bundleId '" + manifest.bundleId() + "' must be "
                    + BundleManifest.SAFE_NAME_RULE);
        }
        checkCheckpoints(manifest.sourceCheckpoints());
        checkFileEntries(manifest.files());
        checkTokenizer(manifest);
        checkGraphs(manifest);
        for (FileEntry entry : manifest.files()) {
            verifyFile(directory, entry);
        }
        return new ModelBundle(directory, manifest, readVocabulary(directory, manifest));
    }

    private static BundleManifest readManifest(Path directory) throws BundleException {
        Path file = directory.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new BundleException(MANIFEST, "missing in " + directory + " (is this a model bundle directory?)");
        }
        try {
            JsonNode tree = ManifestJson.readTree(file);
            JsonNode version = tree.path("formatVersion");
            if (!version.isInt()) {
                throw new BundleException(MANIFEST, "formatVersion is missing or not an integer: " + version);
            }
            if (!BundleManifest.SUPPORTED_FORMAT_VERSIONS.contains(version.intValue())) {
                throw new BundleException(MANIFEST, "format version " + version.intValue()
                        + " is not supported; this reader supports " + BundleManifest.SUPPORTED_FORMAT_VERSIONS);
            }
            if (version.intValue() == 1 && tree.path("modelConfig").path("variants") instanceof ObjectNode variants) {
                // version 1 predates these switches: Stage-II painted the whole image, D had no spectral norm
                variants.put("stage2Residual", false);
                variants.put("discriminatorSpectralNorm", false);
            }
            return ManifestJson.bind(tree);
        } catch (JsonProcessingException e) {
            throw new BundleException(MANIFEST, "not a valid manifest: " + ManifestJson.describe(e), e);
        } catch (IOException e) {
            throw new BundleException(MANIFEST, "cannot read: " + e, e);
        }
    }

    private static void checkCheckpoints(List<SourceCheckpoint> checkpoints) throws BundleException {
        for (SourceCheckpoint checkpoint : checkpoints) {
            if (!SourceCheckpoint.KINDS.contains(checkpoint.kind())) {
                throw new BundleException(MANIFEST, "source checkpoint " + checkpoint.path() + " has kind '"
                        + checkpoint.kind() + "', expected one of " + SourceCheckpoint.KINDS);
            }
        }
    }

    /** File entries are plain names inside the bundle: no '..', no absolute paths, no sub-directories. */
    private static void checkFileEntries(List<FileEntry> files) throws BundleException {
        Set<String> seen = new HashSet<>();
        for (FileEntry entry : files) {
            if (!BundleManifest.isSafeName(entry.file())) {
                throw new BundleException(MANIFEST, "file entry '" + entry.file()
                        + "' is not a plain file name inside the bundle (" + BundleManifest.SAFE_NAME_RULE + ")");
            }
            if (entry.file().equals(MANIFEST)) {
                throw new BundleException(MANIFEST, "lists itself in files; it cannot hold its own checksum");
            }
            if (!seen.add(entry.file())) {
                throw new BundleException(MANIFEST, "file entry '" + entry.file() + "' is listed twice");
            }
        }
    }

    private static void checkTokenizer(BundleManifest manifest) throws BundleException {
        TokenizerFacts facts = manifest.tokenizer();
        ModelConfig.TextEncoderConfig text = manifest.modelConfig().text();
        if (!Tokenizer.RULE_ID.equals(facts.rule())) {
            throw new BundleException(MANIFEST, "tokenizer rule '" + facts.rule() + "' differs from this build's '"
                    + Tokenizer.RULE_ID + "'; serving must tokenize exactly as training did");
        }
        requireEqual("tokenizer.maxWords", facts.maxWords(), "modelConfig.text.maxWords", text.maxWords());
        requireEqual("tokenizer.vocabularySize", facts.vocabularySize(),
                "modelConfig.text.vocabularySize", text.vocabularySize());
        requireEqual("tokenizer.padId", facts.padId(), "this build's pad id", Vocabulary.PAD_ID);
        requireEqual("tokenizer.unknownId", facts.unknownId(), "this build's unknown id", Vocabulary.UNKNOWN_ID);
        requireListed(manifest, "tokenizer.vocabularyFile", facts.vocabularyFile());
    }

    private static void requireEqual(String field, int value, String expectedFrom, int expected)
            throws BundleException {
        if (value != expected) {
            throw new BundleException(MANIFEST, field + " is " + value + " but " + expectedFrom + " is " + expected);
        }
    }

    /** A file the bundle uses must be listed in files, or its checksum would never be verified. */
    private static void requireListed(BundleManifest manifest, String field, String file) throws BundleException {
        if (manifest.file(file).isEmpty()) {
            throw new BundleException(MANIFEST, field + " '" + file + "' is not listed in files");
        }
    }

    private static void checkGraphs(BundleManifest manifest) throws BundleException {
        Set<String> seen = new HashSet<>();
        for (GraphEntry entry : manifest.graphs()) {
            if (!ModelGraphs.ALL.contains(entry.name())) {
                throw new BundleException(MANIFEST, "unknown graph '" + entry.name() + "', a bundle holds "
                        + ModelGraphs.ALL);
            }
            if (!seen.add(entry.name())) {
                throw new BundleException(MANIFEST, "graph " + entry.name() + " is listed twice");
            }
            requireListed(manifest, "graph " + entry.name() + " file", entry.file());
            GraphSignature expected = ModelGraphs.forName(entry.name(), manifest.modelConfig());
            checkTensors(entry.file(), "input", entry.inputs(), expected.inputs());
            checkTensors(entry.file(), "output", entry.outputs(), expected.outputs());
        }
        for (String graph : ModelGraphs.ALL) {
            if (!seen.contains(graph)) {
                throw new BundleException(MANIFEST, "graph " + graph + " is missing; a bundle holds "
                        + ModelGraphs.ALL);
            }
        }
    }

    /** Names must match in order; then the first differing dtype or shape is reported with both values. */
    private static void checkTensors(String file, String role, List<TensorSpec> recorded, List<TensorSpec> expected)
            throws BundleException {
        List<String> recordedNames = recorded.stream().map(TensorSpec::name).toList();
        List<String> expectedNames = expected.stream().map(TensorSpec::name).toList();
        if (!recordedNames.equals(expectedNames)) {
            throw new BundleException(file, role + "s are " + recordedNames + ", config expects " + expectedNames);
        }
        for (int i = 0; i < recorded.size(); i++) {
            TensorSpec got = recorded.get(i);
            TensorSpec want = expected.get(i);
            if (!got.dtype().equals(want.dtype())) {
                throw new BundleException(file, role + " " + got.name() + " has dtype " + got.dtype()
                        + ", config expects " + want.dtype());
            }
            if (!got.shape().equals(want.shape())) {
                throw new BundleException(file, role + " " + got.name() + " has shape " + got.shape()
                        + ", config expects " + want.shape());
            }
        }
    }

    private static void verifyFile(Path directory, FileEntry entry) throws BundleException {
        Path file = directory.resolve(entry.file());
        // No links: a listed file must be the bundle's own bytes, not a pointer elsewhere.
        if (!Files.isRegularFile(file, NOFOLLOW_LINKS)) {
            throw new BundleException(entry.file(), (Files.exists(file, NOFOLLOW_LINKS) ? "not a regular file"
                    : "missing") + ", " + MANIFEST + " lists it");
        }
        try {
            long size = Files.size(file);
            if (size != entry.size()) {
                throw new BundleException(entry.file(), "size mismatch, manifest says " + entry.size()
                        + " bytes, file has " + size);
            }
            String sha256 = FileDigest.sha256(file);
            if (!sha256.equals(entry.sha256())) {
                throw new BundleException(entry.file(), "sha256 mismatch, manifest says " + entry.sha256()
                        + ", file has " + sha256);
            }
        } catch (IOException e) {
            throw new BundleException(entry.file(), "cannot read: " + e, e);
        }
    }

    private static Vocabulary readVocabulary(Path directory, BundleManifest manifest) throws BundleException {
        String file = manifest.tokenizer().vocabularyFile();
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.read(directory.resolve(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleException(file, "not a valid vocabulary: " + e.getMessage(), e);
        }
        int expected = manifest.modelConfig().text().vocabularySize();
        if (vocabulary.size() != expected) {
            throw new BundleException(file, "has " + vocabulary.size() + " words, modelConfig.text.vocabularySize is "
                    + expected);
        }
        return vocabulary;
    }
}
