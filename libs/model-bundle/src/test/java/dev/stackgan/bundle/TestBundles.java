package dev.stackgan.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stackgan.bundle.BundleManifest.SourceCheckpoint;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.text.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A small valid bundle and ways to damage it on disk. */
final class TestBundles {

    static final String ID = "stackgan-tiny-20261104-153000-1a2b3c4d";
    static final Instant CREATED = Instant.parse("2026-11-04T15:30:00.123Z");
    static final Vocabulary VOCABULARY = Vocabulary.of(List.of("<pad>", "<unk>", "bird", "red", "wings"));
    /** Stage-I 64 x 64 and Stage-II 256 x 256 as in the paper, with tiny channel counts. */
    static final ModelConfig CONFIG = new ModelConfig(
            new ModelConfig.TextEncoderConfig(VOCABULARY.size(), 18, 8, 4, 0.1f), 8, 10,
            new ModelConfig.Stage1Config(64, 8, 8), new ModelConfig.Stage2Config(256, 8, 8, 2),
            new ModelConfig.ImageEncoderConfig(64, 8), ModelConfig.NetworkVariants.PAPER);
    static final List<SourceCheckpoint> CHECKPOINTS = List.of(
            new SourceCheckpoint("text-encoder", "/runs/r1/text_encoder_e100.params", "ab".repeat(32), 100, 13800),
            new SourceCheckpoint("stage1", "/runs/r1/stage1_e600.params", "cd".repeat(32), 600, 82800),
            new SourceCheckpoint("stage2", "/runs/r1/stage2_e600.params", "ef".repeat(32), 600, 82800));

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TestBundles() {
    }

    /** Arbitrary, distinct payloads: the bundle format does not parse ONNX. */
    static Map<String, byte[]> graphs() {
        return Map.of(ModelGraphs.TEXT_ENCODER, payload(1000, 1), ModelGraphs.STAGE1, payload(3000, 2),
                ModelGraphs.STAGE2, payload(5000, 3));
    }

    static byte[] payload(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    static BundleWriter writer() {
        return new BundleWriter(Clock.fixed(CREATED, ZoneOffset.UTC));
    }

    static Path write(Path root) throws BundleException {
        return writer().write(root, ID, CONFIG, VOCABULARY, CHECKPOINTS, graphs());
    }

    /** Rewrites manifest.json after {@code edit}; the checksummed files stay as they are. */
    static void editManifest(Path bundle, Consumer<ObjectNode> edit) throws IOException {
        Path file = bundle.resolve(BundleManifest.FILE);
        ObjectNode manifest = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(manifest);
        Files.writeString(file, JSON.writeValueAsString(manifest), StandardCharsets.UTF_8);
    }

    static void flipByte(Path file, int index) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[index] ^= 0x01;
        Files.write(file, bytes);
    }
}
