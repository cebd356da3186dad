package dev.stackgan.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.BundleManifest.FileEntry;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundleWriterTest {

    @TempDir
    Path root;

    @Test
    void writtenBundleReadsBackWithEveryManifestField() throws Exception {
        Path dir = TestBundles.write(root);
        assertEquals(root.resolve(TestBundles.ID), dir);

        ModelBundle bundle = BundleReader.read(dir);
        BundleManifest manifest = bundle.manifest();
        assertEquals(BundleManifest.FORMAT_VERSION, manifest.formatVersion());
        assertEquals(TestBundles.ID, manifest.bundleId());
        assertEquals(TestBundles.CREATED, manifest.createdAt());
        assertEquals(TestBundles.CHECKPOINTS, manifest.sourceCheckpoints());
        assertEquals(TestBundles.CONFIG, manifest.modelConfig());
        assertEquals(new BundleManifest.TokenizerFacts("nfkd-strip-marks-lowercase-letters-digits-v1", 18,
                "vocab.txt", 5, 0, 1), manifest.tokenizer());
        assertEquals(TestBundles.VOCABULARY.words(), bundle.vocabulary().words());
        Map<String, byte[]> graphs = TestBundles.graphs();
        for (String graph : ModelGraphs.ALL) {
            assertEquals(ModelGraphs.forName(graph, TestBundles.CONFIG), bundle.signature(graph));
            assertEquals(dir.resolve(graph + ".onnx"), bundle.graphFile(graph));
            assertArrayEquals(graphs.get(graph), Files.readAllBytes(bundle.graphFile(graph)));
        }
        assertEquals(List.of("vocab.txt", "text_encoder.onnx", "stage1.onnx", "stage2.onnx"),
                manifest.files().stream().map(FileEntry::file).toList());
        FileEntry stage2 = manifest.file("stage2.onnx").orElseThrow();
        assertEquals(5000, stage2.size());
        assertTrue(stage2.sha256().matches("[0-9a-f]{64}"), stage2.sha256());
    }

    @Test
    void manifestIsPrettyPrintedCamelCaseWithAnIsoCreationTime() throws Exception {
        String json = Files.readString(TestBundles.write(root).resolve("manifest.json"));
        assertTrue(json.startsWith("{\n  \"formatVersion\" : 2,\n  \"bundleId\" : \"" + TestBundles.ID + "\""), json);
        assertTrue(json.contains("\"createdAt\" : \"2026-11-04T15:30:00.123Z\""), json);
        assertTrue(json.contains("\"shape\" : [ -1, 3, 256, 256 ]"), json);
    }

    @Test
    void leavesOnlyTheFinalDirectory() throws Exception {
        TestBundles.write(root);
        try (Stream<Path> entries = Files.list(root)) {
            assertEquals(List.of(root.resolve(TestBundles.ID)), entries.toList());
        }
    }

    @Test
    void refusesToOverwriteAnExistingBundle() throws Exception {
        Path dir = TestBundles.write(root);
        String manifestBefore = Files.readString(dir.resolve("manifest.json"));
        Map<String, byte[]> other = new HashMap<>(TestBundles.graphs());
        other.put(ModelGraphs.STAGE2, TestBundles.payload(10, 9));

        BundleException e = assertThrows(BundleException.class, () -> TestBundles.writer().write(root,
                TestBundles.ID, TestBundles.CONFIG, TestBundles.VOCABULARY, TestBundles.CHECKPOINTS, other));
        assertEquals(dir + ": already exists; bundles are immutable, write under a new bundle id", e.getMessage());
        assertEquals(manifestBefore, Files.readString(dir.resolve("manifest.json")));
        assertEquals(5000, Files.size(dir.resolve("stage2.onnx")));
    }

    @Test
    void refusesAnExistingEmptyDirectoryToo() throws Exception {
        Files.createDirectory(root.resolve(TestBundles.ID));
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.write(root));
        assertTrue(e.getMessage().endsWith(TestBundles.ID + ": already exists; bundles are immutable, "
                + "write under a new bundle id"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", "/abs", "..", "", "with space"})
    void refusesUnsafeBundleIds(String id) {
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.writer().write(root, id,
                TestBundles.CONFIG, TestBundles.VOCABULARY, TestBundles.CHECKPOINTS, TestBundles.graphs()));
        assertEquals(id + ": not a valid bundle id: it must be 1 to 128 of [A-Za-z0-9._-], not '.' or '..'",
                e.getMessage());
    }

    @Test
    void refusesAMissingGraph() {
        Map<String, byte[]> graphs = new HashMap<>(TestBundles.graphs());
        graphs.remove(ModelGraphs.STAGE2);
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.writer().write(root,
                TestBundles.ID, TestBundles.CONFIG, TestBundles.VOCABULARY, TestBundles.CHECKPOINTS, graphs));
        assertTrue(e.getMessage().contains("a bundle holds exactly [text_encoder, stage1, stage2]"), e.getMessage());
    }

    /** The writer verifies with the reader before publishing, and leaves nothing behind when that fails. */
    @Test
    void refusesAVocabularyThatDisagreesWithTheConfigAndLeavesNothingBehind() throws IOException {
        ModelConfig config = TestBundles.CONFIG.withVocabularySize(6);
        BundleException e = assertThrows(BundleException.class, () -> TestBundles.writer().write(root,
                TestBundles.ID, config, TestBundles.VOCABULARY, TestBundles.CHECKPOINTS, TestBundles.graphs()));
        assertEquals("manifest.json: tokenizer.vocabularySize is 5 but modelConfig.text.vocabularySize is 6",
                e.getMessage());
        try (Stream<Path> entries = Files.list(root)) {
            assertEquals(List.of(), entries.toList());
        }
    }
}
