package dev.stackgan.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundleReaderTest {

    @TempDir
    Path root;
    Path bundle;

    @BeforeEach
    void writeBundle() throws BundleException {
        bundle = TestBundles.write(root);
    }

    private BundleException refused() {
        return assertThrows(BundleException.class, () -> BundleReader.read(bundle));
    }

    private BundleException refusedAfter(Consumer<ObjectNode> edit) throws IOException {
        TestBundles.editManifest(bundle, edit);
        return refused();
    }

    private String recordedSha256(String file) throws BundleException {
        return BundleReader.read(bundle).manifest().file(file).orElseThrow().sha256();
    }

    @Test
    void refusesAFlippedByteInAGraphNamingTheFileAndBothHashes() throws Exception {
        String recorded = recordedSha256("stage2.onnx");
        TestBundles.flipByte(bundle.resolve("stage2.onnx"), 1234);
        String actual = FileDigest.sha256(bundle.resolve("stage2.onnx"));

        BundleException e = refused();
        assertEquals("stage2.onnx", e.file());
        assertEquals("stage2.onnx: sha256 mismatch, manifest says " + recorded + ", file has " + actual,
                e.getMessage());
    }

    @Test
    void refusesAFlippedByteInTheVocabulary() throws Exception {
        String recorded = recordedSha256("vocab.txt");
        TestBundles.flipByte(bundle.resolve("vocab.txt"), 14);

        BundleException e = refused();
        assertTrue(e.getMessage().startsWith("vocab.txt: sha256 mismatch, manifest says " + recorded + ", file has "),
                e.getMessage());
    }

    @Test
    void refusesATruncatedGraphBySize() throws Exception {
        Files.write(bundle.resolve("text_encoder.onnx"), TestBundles.payload(999, 1));
        assertEquals("text_encoder.onnx: size mismatch, manifest says 1000 bytes, file has 999",
                refused().getMessage());
    }

    @Test
    void refusesADeletedGraphFile() throws Exception {
        Files.delete(bundle.resolve("stage1.onnx"));
        assertEquals("stage1.onnx: missing, manifest.json lists it", refused().getMessage());
    }

    @Test
    void refusesAMissingManifest() throws Exception {
        Files.delete(bundle.resolve("manifest.json"));
        assertTrue(refused().getMessage().startsWith("manifest.json: missing in " + bundle));
    }

    @Test
    void refusesMalformedJsonNamingTheManifestAndThePosition() throws Exception {
        Files.writeString(bundle.resolve("manifest.json"), "{\n  \"formatVersion\" : 1,\n  \"bundleId\" : }\n");
        BundleException e = refused();
        assertTrue(e.getMessage().startsWith("manifest.json: not a valid manifest: Unexpected character ('}'"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(line 3, column 16)"), e.getMessage());
    }

    @Test
    void refusesAnUnknownFormatVersionNamingItAndTheSupportedOnes() throws Exception {
        assertEquals("manifest.json: format version 3 is not supported; this reader supports [1, 2]",
                refusedAfter(m -> m.put("formatVersion", 3)).getMessage());
    }

    @Test
    void readsAVersionOneManifestAsAStage2ThatPaintsTheWholeImage() throws Exception {
        TestBundles.editManifest(bundle, m -> {
            m.put("formatVersion", 1);
            ((ObjectNode) m.path("modelConfig").path("variants")).remove(java.util.List.of("stage2Residual",
                    "discriminatorSpectralNorm"));
        });
        assertFalse(BundleReader.read(bundle).manifest().modelConfig().variants().stage2Residual());
    }

    @Test
    void refusesAMissingFieldNamingIt() throws Exception {
        BundleException e = refusedAfter(m -> m.remove("createdAt"));
        assertTrue(e.getMessage().startsWith(
                "manifest.json: not a valid manifest: Missing creator property 'createdAt'"), e.getMessage());
    }

    @Test
    void refusesAWronglyTypedNestedFieldNamingItsPath() throws Exception {
        BundleException e = refusedAfter(m -> ((ObjectNode) m.withArray("files").get(1)).put("size", "big"));
        assertTrue(e.getMessage().startsWith("manifest.json: not a valid manifest: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(at files[1].size)"), e.getMessage());
    }

    @Test
    void refusesANullListElement() throws Exception {
        BundleException e = refusedAfter(m -> m.withArray("files").insertNull(0));
        assertTrue(e.getMessage().startsWith("manifest.json: not a valid manifest: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(at files[0])"), e.getMessage());
    }

    @Test
    void refusesAnInvalidModelConfig() throws Exception {
        BundleException e = refusedAfter(m -> ((ObjectNode) m.at("/modelConfig/stage1")).put("imageSize", 48));
        assertEquals("manifest.json: invalid modelConfig: stage1.imageSize must be a power of two >= 16, got 48",
                e.getMessage());
    }

    @Test
    void refusesAStage1OutputShapeThatDisagreesWithTheConfig() throws Exception {
        BundleException e = refusedAfter(m -> ((ArrayNode) m.at("/graphs/1/outputs/0/shape"))
                .set(2, 32).set(3, 32));
        assertEquals("stage1.onnx", e.file());
        assertEquals("stage1.onnx: output image has shape [-1, 3, 32, 32], config expects [-1, 3, 64, 64]",
                e.getMessage());
    }

    @Test
    void refusesARenamedGraphInput() throws Exception {
        BundleException e = refusedAfter(m -> ((ObjectNode) m.at("/graphs/2/inputs/1")).put("name", "cond"));
        assertEquals("stage2.onnx: inputs are [stage1_image, cond], config expects [stage1_image, c]",
                e.getMessage());
    }

    @Test
    void refusesAGraphMissingFromTheManifest() throws Exception {
        assertEquals("manifest.json: graph stage2 is missing; a bundle holds [text_encoder, stage1, stage2]",
                refusedAfter(m -> m.withArray("graphs").remove(2)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../vocab.txt", "/etc/passwd", "sub/vocab.txt", ".."})
    void refusesFileEntriesThatLeaveTheBundle(String entry) throws Exception {
        Files.writeString(root.resolve("vocab.txt"), "<pad>\n<unk>\n");
        BundleException e = refusedAfter(m -> {
            ((ObjectNode) m.withArray("files").get(0)).put("file", entry);
            ((ObjectNode) m.get("tokenizer")).put("vocabularyFile", entry);
        });
        assertEquals("manifest.json: file entry '" + entry + "' is not a plain file name inside the bundle "
                + "(1 to 128 of [A-Za-z0-9._-], not '.' or '..')", e.getMessage());
    }

    @Test
    void refusesAVocabularyFileWhoseSizeDiffersFromTheConfig() throws Exception {
        BundleException e = refusedAfter(m -> {
            ((ObjectNode) m.at("/modelConfig/text")).put("vocabularySize", 6);
            ((ObjectNode) m.get("tokenizer")).put("vocabularySize", 6);
        });
        assertEquals("vocab.txt: has 5 words, modelConfig.text.vocabularySize is 6", e.getMessage());
    }

    @Test
    void refusesTokenizerFactsWhoseVocabularySizeDiffersFromTheConfig() throws Exception {
        assertEquals("manifest.json: tokenizer.vocabularySize is 7 but modelConfig.text.vocabularySize is 5",
                refusedAfter(m -> ((ObjectNode) m.get("tokenizer")).put("vocabularySize", 7)).getMessage());
    }

    @Test
    void refusesADifferentTokenizerRule() throws Exception {
        assertEquals("manifest.json: tokenizer rule 'whitespace-v0' differs from this build's "
                        + "'nfkd-strip-marks-lowercase-letters-digits-v1'; "
                        + "serving must tokenize exactly as training did",
                refusedAfter(m -> ((ObjectNode) m.get("tokenizer")).put("rule", "whitespace-v0")).getMessage());
    }

    @Test
    void refusesAnUnknownCheckpointKind() throws Exception {
        BundleException e = refusedAfter(m -> ((ObjectNode) m.withArray("sourceCheckpoints").get(0))
                .put("kind", "stage3"));
        assertEquals("manifest.json: source checkpoint /runs/r1/text_encoder_e100.params has kind 'stage3', "
                + "expected one of [text-encoder, stage1, stage2]", e.getMessage());
    }
}
