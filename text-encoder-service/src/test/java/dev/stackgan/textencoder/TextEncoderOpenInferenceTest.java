package dev.stackgan.textencoder;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackgan.bundle.text.Tokenizer;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataRequest;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.EncodedCaption;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.testing.InferenceClient;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.testing.TwoVersionService;
import io.grpc.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Open Inference Protocol of the text encoder: INT64 token ids (raw and typed) beside FP32 noise, and what a
 * client needs to make token ids, all from ModelMetadata (tiny bundles: 18 words, C 8).
 */
class TextEncoderOpenInferenceTest {

    private static final int C = 8;
    private static final int WORDS = 18;

    @RegisterExtension
    static final TwoVersionService service = new TwoVersionService(4);

    /**
     * A client tokenizes with the metadata's vocabulary and draws the CA noise of seed 7 as documented; the
     * conditions it gets are bit for bit the stackgan.v1 Encode's for the caption and seed, with the ids raw or typed.
     */
    @Test
    void tokenIdsFromTheMetadataGiveEncodesConditions() {
        ModelMetadataResponse metadata = InferenceClient.stub(service.harness().channel())
                .modelMetadata(ModelMetadataRequest.newBuilder().setName("text_encoder").build());
        assertEquals(Tokenizer.RULE_ID, metadata.getPropertiesOrThrow("tokenizer"));
        List<String> words = Arrays.asList(metadata.getPropertiesOrThrow("vocabulary").split("\n", -1));
        assertEquals(TinyBundles.vocabulary().words(), words);
        assertEquals(List.of(-1L, (long) WORDS), metadata.getInputs(0).getShapeList());
        assertEquals("INT64", metadata.getInputs(0).getDatatype());

        String caption = TextEncoderServiceTest.caption;
        long[] tokenIds = Vocabulary.of(words).encode(caption, WORDS).tokenIds();
        Seeds.Noise noise = Seeds.noise(7, C, 8);
        EncodedCaption expected = service.harness().blocking(TextEncoderServiceGrpc::newBlockingStub)
                .encode(EncodeRequest.newBuilder().addCaptions(caption).setSeed(7).build()).getCaptions(0);
        for (boolean raw : new boolean[] {true, false}) {
            ModelInferResponse response = InferenceClient.stub(service.harness().channel())
                    .modelInfer(withNoise(request(tokenIds, raw), noise, raw).build());
            assertArrayEquals(floats(expected.getStage1().getCList()), InferenceClient.floats(response, "stage1_c"));
            assertArrayEquals(floats(expected.getStage2().getCList()), InferenceClient.floats(response, "stage2_c"));
            assertArrayEquals(floats(expected.getSentenceEmbeddingList()),
                    InferenceClient.floats(response, "sentence_embedding"));
            assertEquals(7, response.getOutputsCount(), "every output when none is named");
        }
    }

    @Test
    void tokenIdsMustBeInt64WithinTheVocabulary() {
        int size = TinyBundles.vocabulary().size();
        long[] ids = new long[WORDS];
        ids[3] = size;
        Seeds.Noise noise = Seeds.noise(1, C, 8);
        assertStatus(Status.Code.INVALID_ARGUMENT, "input 'token_ids' holds " + size + " at element 3; token ids "
                + "must be 0 to " + (size - 1) + " (the vocabulary's size is " + size + ")",
                () -> InferenceClient.stub(service.harness().channel())
                        .modelInfer(withNoise(request(ids, true), noise, true).build()));
        ids[3] = -1;
        assertStatus(Status.Code.INVALID_ARGUMENT, "input 'token_ids' holds -1 at element 3",
                () -> InferenceClient.stub(service.harness().channel())
                        .modelInfer(withNoise(request(ids, false), noise, false).build()));
        ModelInferRequest.Builder floatIds = InferenceClient.addFp32(ModelInferRequest.newBuilder()
                .setModelName("text_encoder"), "token_ids", new long[] {1, WORDS}, new float[WORDS], false);
        assertStatus(Status.Code.INVALID_ARGUMENT, "input 'token_ids' has datatype 'FP32'; text_encoder takes it as"
                + " INT64", () -> InferenceClient.stub(service.harness().channel())
                .modelInfer(withNoise(floatIds, noise, false).build()));
    }

    private static ModelInferRequest.Builder request(long[] tokenIds, boolean raw) {
        return InferenceClient.addInt64(ModelInferRequest.newBuilder().setModelName("text_encoder"), "token_ids",
                new long[] {1, WORDS}, tokenIds, raw);
    }

    private static ModelInferRequest.Builder withNoise(ModelInferRequest.Builder request, Seeds.Noise noise,
                                                       boolean raw) {
        InferenceClient.addFp32(request, "stage1_ca_noise", new long[] {1, C}, noise.stage1CaEpsilon(), raw);
        return InferenceClient.addFp32(request, "stage2_ca_noise", new long[] {1, C}, noise.stage2CaEpsilon(), raw);
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
