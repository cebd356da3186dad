package dev.stackgan.textencoder;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.EncodeResponse;
import dev.stackgan.proto.v1.EncodedCaption;
import dev.stackgan.proto.v1.GetVocabularyRequest;
import dev.stackgan.proto.v1.GetVocabularyResponse;
import dev.stackgan.proto.v1.ModelGraph;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.testing.ServiceChecks;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.testing.TwoVersionService;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The text encoder application over real gRPC and ONNX Runtime on tiny bundles (18 words, C 8, sentence 16). */
class TextEncoderServiceTest {

    static final int C = 8;

    @RegisterExtension
    static final TwoVersionService service = new TwoVersionService(4);
    /** Known words plus "a" and "bird"; the example captions' vocabulary knows all of them. */
    static final String caption = "a " + TinyBundles.knownWord(0) + " " + TinyBundles.knownWord(1) + " bird";

    @Test
    void encodesCaptionsIntoBothStagesConditionsDeterministicallyPerSeed() {
        EncodeResponse response = stub().encode(request(caption, caption + " zzzunknownzzz").setSeed(7).build());
        assertEquals(TinyBundles.V1, response.getModelVersion());
        assertEquals(2, response.getCaptionsCount());
        EncodedCaption first = response.getCaptions(0);
        assertEquals(7, first.getSeed());
        assertEquals(8, response.getCaptions(1).getSeed());
        assertEquals(caption.split(" ").length, first.getWordsCount());
        assertEquals(first.getWordsCount(), first.getTokenIdsCount());
        assertEquals(16, first.getSentenceEmbeddingCount());
        assertEquals(C, first.getStage1().getMuCount());
        assertEquals(C, first.getStage1().getLogvarCount());
        assertEquals(C, first.getStage2().getCCount());
        assertEquals(List.of("zzzunknownzzz"), response.getCaptions(1).getUnknownWordsList());
        // c = mu + exp(logvar / 2) * epsilon with epsilon from the documented seed stream
        float[] epsilon = Seeds.noise(7, C, 8).stage1CaEpsilon();
        float expected = first.getStage1().getMu(0)
                + (float) Math.exp(first.getStage1().getLogvar(0) / 2) * epsilon[0];
        assertEquals(expected, first.getStage1().getC(0), 1e-5f);

        EncodeResponse again = stub().encode(request(caption, caption + " zzzunknownzzz").setSeed(7).build());
        assertEquals(response, again);
        EncodedCaption otherSeed = stub().encode(request(caption).setSeed(8).build()).getCaptions(0);
        assertEquals(first.getSentenceEmbeddingList(), otherSeed.getSentenceEmbeddingList(), "seed only moves noise");
        assertNotEquals(first.getStage1().getCList(), otherSeed.getStage1().getCList());
    }

    @Test
    void captionWithOnlyUnknownWordsIsEncodedAndItsWordsReported() {
        EncodedCaption encoded = stub().encode(request("qqqx wwwy").setSeed(1).build()).getCaptions(0);
        assertEquals(List.of("qqqx", "wwwy"), encoded.getUnknownWordsList());
        assertEquals(List.of(1L, 1L), encoded.getTokenIdsList());
        assertEquals(C, encoded.getStage1().getCCount());
    }

    @Test
    void longCaptionsAreTruncatedToTheWordLimitAndSaySo() {
        String words = String.join(" ", Collections.nCopies(20, TinyBundles.knownWord(0)));
        EncodedCaption encoded = stub().encode(request(words).setSeed(1).build()).getCaptions(0);
        assertEquals(18, encoded.getWordsCount());
        assertEquals(2, encoded.getTruncatedWords());
    }

    @Test
    void pinnedVersionIsServedAndUnknownVersionIsRefused() {
        EncodeResponse v2 = stub().encode(request(caption).setSeed(1).setModelVersion(TinyBundles.V2).build());
        assertEquals(TinyBundles.V2, v2.getModelVersion());
        assertNotEquals(stub().encode(request(caption).setSeed(1).build()).getCaptions(0).getSentenceEmbeddingList(),
                v2.getCaptions(0).getSentenceEmbeddingList());
        assertStatus(Status.Code.FAILED_PRECONDITION, "model_version 'tiny-v9' is not loaded here; available: ["
                        + TinyBundles.V1 + ", " + TinyBundles.V2 + "]",
                () -> stub().encode(request(caption).setModelVersion("tiny-v9").build()));
    }

    @Test
    void modelVersionMustBeABundleId() {
        ServiceChecks.assertModelVersionMustBeABundleId(
                version -> stub().encode(request(caption).setModelVersion(version).build()));
    }

    @Test
    void badRequestsNameTheFieldAndTheLimit() {
        assertInvalid(EncodeRequest.newBuilder(), "captions has 0 entries, must be 1 to 4");
        assertInvalid(request(caption, caption, caption, caption, caption), "captions has 5 entries, must be 1 to 4");
        assertInvalid(request(caption, ""), "captions[1] is empty or only whitespace");
        assertInvalid(request(" \t\n "), "captions[0] is empty or only whitespace");
        assertInvalid(request("a".repeat(1001)), "captions[0] has 1001 characters, at most 1000");
        stub().encode(request("a".repeat(1000)).build());
        assertInvalid(request(caption).setSeed(Seeds.MAX_SEED + 1), "seed is 281474976710656");
        assertInvalid(request(caption, caption).setSeed(Seeds.MAX_SEED), "and seed + 1 (one seed per item) too");
    }

    @Test
    void vocabularyIsTheBundlesKnownWordsWithoutPaddingAndUnknown() {
        GetVocabularyResponse current = stub().getVocabulary(GetVocabularyRequest.getDefaultInstance());
        assertEquals(TinyBundles.V1, current.getModelVersion());
        assertEquals(18, current.getMaxWords());
        List<String> known = TinyBundles.vocabulary().words();
        assertEquals(known.subList(2, known.size()), current.getWordsList());
        assertEquals(TinyBundles.V2, stub().getVocabulary(GetVocabularyRequest.newBuilder()
                .setModelVersion(TinyBundles.V2).build()).getModelVersion());
        assertStatus(Status.Code.FAILED_PRECONDITION, "model_version 'tiny-v9' is not loaded here",
                () -> stub().getVocabulary(GetVocabularyRequest.newBuilder().setModelVersion("tiny-v9").build()));
        ServiceChecks.assertModelVersionMustBeABundleId(version -> stub().getVocabulary(
                GetVocabularyRequest.newBuilder().setModelVersion(version).build()));
    }

    @Test
    void healthFollowsTheModelAndReflectionListsTheService(@TempDir Path empty) throws Exception {
        ServiceChecks.assertHealthFollowsModelAndReflectionListsServices(empty, TextEncoderServiceGrpc.SERVICE_NAME,
                ModelGraph.MODEL_GRAPH_TEXT_ENCODER);
    }

    @Test
    void fullQueueAndExpiredDeadline() throws Exception {
        ServiceChecks.assertQueueOverflowAndDeadline(service.repository(), (harness, deadlineMs) ->
                TextEncoderServiceGrpc.newFutureStub(harness.channel())
                        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).encode(request(caption).build()));
    }

    private static void assertInvalid(EncodeRequest.Builder request, String messagePart) {
        assertStatus(Status.Code.INVALID_ARGUMENT, messagePart, () -> stub().encode(request.build()));
    }

    private static EncodeRequest.Builder request(String... captions) {
        return EncodeRequest.newBuilder().addAllCaptions(List.of(captions));
    }

    /** A stub per call, so every call gets its own deadline. */
    private static TextEncoderServiceGrpc.TextEncoderServiceBlockingStub stub() {
        return service.harness().blocking(TextEncoderServiceGrpc::newBlockingStub);
    }
}
