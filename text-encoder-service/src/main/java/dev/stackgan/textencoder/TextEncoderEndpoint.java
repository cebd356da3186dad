package dev.stackgan.textencoder;

import static dev.stackgan.bundle.graph.ModelGraphs.SENTENCE_EMBEDDING;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_C;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_CA_NOISE;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_LOGVAR;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_MU;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE2_C;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE2_CA_NOISE;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE2_LOGVAR;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE2_MU;
import static dev.stackgan.bundle.graph.ModelGraphs.TOKEN_IDS;

import dev.stackgan.bundle.text.EncodedCaption;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.proto.v1.Condition;
import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.EncodeResponse;
import dev.stackgan.proto.v1.GetVocabularyRequest;
import dev.stackgan.proto.v1.GetVocabularyResponse;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.Captions;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.ModelLease;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.ModelVersions;
import dev.stackgan.serving.Seeds;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * stackgan.v1.TextEncoderService: captions -> sentence vectors and both stages' conditions. Captions whose words
 * are all unknown are encoded anyway (the unknown words are reported), so the caller decides whether to refuse.
 */
@Singleton
public class TextEncoderEndpoint extends TextEncoderServiceGrpc.TextEncoderServiceImplBase {

    private final Inference inference;
    private final ModelRepository repository;

    public TextEncoderEndpoint(Inference inference, ModelRepository repository) {
        this.inference = inference;
        this.repository = repository;
    }

    @Override
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> observer) {
        inference.call(request.hasModelVersion() ? request.getModelVersion() : null,
                model -> prepare(request, model), observer);
    }

    /** Answered from the leased bundle's vocabulary without running the graph, so it never queues behind batches. */
    @Override
    public void getVocabulary(GetVocabularyRequest request, StreamObserver<GetVocabularyResponse> observer) {
        GetVocabularyResponse response;
        try {
            String version = request.hasModelVersion() ? request.getModelVersion() : null;
            if (version != null) {
                ModelVersions.requireValid("model_version", version);
            }
            try (ModelLease lease = repository.lease(version)) {
                LoadedModel model = lease.model();
                List<String> words = model.bundle().vocabulary().words();
                response = GetVocabularyResponse.newBuilder()
                        .setModelVersion(model.version())
                        // ids 0 and 1 are padding and the unknown word: no word a prompt can contain
                        .addAllWords(words.subList(Vocabulary.UNKNOWN_ID + 1, words.size()))
                        .setMaxWords(model.config().text().maxWords())
                        .build();
            }
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    private Inference.Prepared<EncodeResponse> prepare(EncodeRequest request, LoadedModel model) {
        int count = request.getCaptionsCount();
        int maxBatch = inference.maxBatchSize();
        if (count < 1 || count > maxBatch) {
            throw Errors.invalidArgument("captions has " + count + " entries, must be 1 to " + maxBatch);
        }
        for (int i = 0; i < count; i++) {
            Captions.requireValid("captions[" + i + "]", request.getCaptions(i));
        }
        long[] seeds = Seeds.forItems("seed", request.hasSeed(), request.getSeed(), count);
        int maxWords = model.config().text().maxWords();
        int conditionDim = model.config().conditionDim();
        List<EncodedCaption> encoded = new ArrayList<>();
        long[] tokenIds = new long[count * maxWords];
        float[] stage1Noise = new float[count * conditionDim];
        float[] stage2Noise = new float[count * conditionDim];
        for (int i = 0; i < count; i++) {
            EncodedCaption caption = model.bundle().vocabulary().encode(request.getCaptions(i), maxWords);
            encoded.add(caption);
            System.arraycopy(caption.tokenIds(), 0, tokenIds, i * maxWords, maxWords);
            Seeds.Noise noise = Seeds.noise(seeds[i], conditionDim, model.config().noiseDim());
            System.arraycopy(noise.stage1CaEpsilon(), 0, stage1Noise, i * conditionDim, conditionDim);
            System.arraycopy(noise.stage2CaEpsilon(), 0, stage2Noise, i * conditionDim, conditionDim);
        }
        long[] conditionRow = {conditionDim};
        Map<String, InputRows> inputs = Map.of(
                TOKEN_IDS, new InputRows.Longs(tokenIds, new long[] {maxWords}),
                STAGE1_CA_NOISE, new InputRows.Floats(stage1Noise, conditionRow),
                STAGE2_CA_NOISE, new InputRows.Floats(stage2Noise, conditionRow));
        return new Inference.Prepared<>(inputs, outputs -> {
            EncodeResponse.Builder response = EncodeResponse.newBuilder().setModelVersion(model.version());
            for (int i = 0; i < count; i++) {
                EncodedCaption caption = encoded.get(i);
                dev.stackgan.proto.v1.EncodedCaption.Builder out = response.addCaptionsBuilder()
                        .setSeed(seeds[i])
                        .addAllWords(caption.words())
                        .addAllUnknownWords(caption.unknownWords())
                        .setTruncatedWords(caption.truncatedWords())
                        .setStage1(condition(outputs, STAGE1_MU, STAGE1_LOGVAR, STAGE1_C, i, count))
                        .setStage2(condition(outputs, STAGE2_MU, STAGE2_LOGVAR, STAGE2_C, i, count));
                for (int t = 0; t < caption.length(); t++) {
                    out.addTokenIds(caption.tokenIds()[t]);
                }
                row(outputs.get(SENTENCE_EMBEDDING), i, count, out::addSentenceEmbedding);
            }
            return response.build();
        });
    }

    private static Condition condition(Map<String, float[]> outputs, String mu, String logvar, String c, int row,
                                       int rows) {
        Condition.Builder condition = Condition.newBuilder();
        row(outputs.get(mu), row, rows, condition::addMu);
        row(outputs.get(logvar), row, rows, condition::addLogvar);
        row(outputs.get(c), row, rows, condition::addC);
        return condition.build();
    }

    /** Takes primitive floats: protobuf keeps repeated floats unboxed, and a List<Float> would box each one. */
    private interface FloatSink {
        void add(float value);
    }

    private static void row(float[] values, int row, int rows, FloatSink sink) {
        int size = values.length / rows;
        for (int i = row * size; i < (row + 1) * size; i++) {
            sink.add(values[i]);
        }
    }
}
