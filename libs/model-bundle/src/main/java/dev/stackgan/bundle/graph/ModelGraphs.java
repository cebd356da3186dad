package dev.stackgan.bundle.graph;

import static dev.stackgan.bundle.graph.TensorSpec.DYNAMIC;

import dev.stackgan.bundle.config.ModelConfig;
import java.util.List;

/**
 * The three graphs every bundle holds and their exact signatures for a model config. The exporter writes these
 * names, the bundle reader checks them, and the services feed them. Noise is always an input, never sampled inside a
 * graph, so the same seed gives the same image on every runtime.
 */
public final class ModelGraphs {

    public static final String TEXT_ENCODER = "text_encoder";
    public static final String STAGE1 = "stage1";
    public static final String STAGE2 = "stage2";
    public static final List<String> ALL = List.of(TEXT_ENCODER, STAGE1, STAGE2);

    // text_encoder
    public static final String TOKEN_IDS = "token_ids";
    public static final String STAGE1_CA_NOISE = "stage1_ca_noise";
    public static final String STAGE2_CA_NOISE = "stage2_ca_noise";
    public static final String SENTENCE_EMBEDDING = "sentence_embedding";
    public static final String STAGE1_MU = "stage1_mu";
    public static final String STAGE1_LOGVAR = "stage1_logvar";
    public static final String STAGE1_C = "stage1_c";
    public static final String STAGE2_MU = "stage2_mu";
    public static final String STAGE2_LOGVAR = "stage2_logvar";
    public static final String STAGE2_C = "stage2_c";
    // stage1 and stage2
    public static final String CONDITION = "c";
    public static final String NOISE = "z";
    public static final String STAGE1_IMAGE = "stage1_image";
    public static final String IMAGE = "image";

    private ModelGraphs() {
    }

    /** token ids [N, maxWords] and CA noise [N, C] per stage -> sentence [N, 2H] and mu, logvar, c [N, C] per stage. */
    public static GraphSignature textEncoder(ModelConfig config) {
        long words = config.text().maxWords();
        long c = config.conditionDim();
        return new GraphSignature(TEXT_ENCODER,
                List.of(TensorSpec.int64(TOKEN_IDS, DYNAMIC, words),
                        TensorSpec.float32(STAGE1_CA_NOISE, DYNAMIC, c),
                        TensorSpec.float32(STAGE2_CA_NOISE, DYNAMIC, c)),
                List.of(TensorSpec.float32(SENTENCE_EMBEDDING, DYNAMIC, config.text().sentenceDim()),
                        TensorSpec.float32(STAGE1_MU, DYNAMIC, c),
                        TensorSpec.float32(STAGE1_LOGVAR, DYNAMIC, c),
                        TensorSpec.float32(STAGE1_C, DYNAMIC, c),
                        TensorSpec.float32(STAGE2_MU, DYNAMIC, c),
                        TensorSpec.float32(STAGE2_LOGVAR, DYNAMIC, c),
                        TensorSpec.float32(STAGE2_C, DYNAMIC, c)));
    }

    /** c [N, C] and z [N, Z] -> image [N, 3, S1, S1] in [-1, 1]. */
    public static GraphSignature stage1(ModelConfig config) {
        long size = config.stage1().imageSize();
        return new GraphSignature(STAGE1,
                List.of(TensorSpec.float32(CONDITION, DYNAMIC, config.conditionDim()),
                        TensorSpec.float32(NOISE, DYNAMIC, config.noiseDim())),
                List.of(TensorSpec.float32(IMAGE, DYNAMIC, 3, size, size)));
    }

    /** stage1_image [N, 3, S1, S1] in [-1, 1] and c [N, C] -> image [N, 3, S2, S2] in [-1, 1]. */
    public static GraphSignature stage2(ModelConfig config) {
        long small = config.stage1().imageSize();
        long large = config.stage2().imageSize();
        return new GraphSignature(STAGE2,
                List.of(TensorSpec.float32(STAGE1_IMAGE, DYNAMIC, 3, small, small),
                        TensorSpec.float32(CONDITION, DYNAMIC, config.conditionDim())),
                List.of(TensorSpec.float32(IMAGE, DYNAMIC, 3, large, large)));
    }

    public static GraphSignature forName(String graph, ModelConfig config) {
        return switch (graph) {
            case TEXT_ENCODER -> textEncoder(config);
            case STAGE1 -> stage1(config);
            case STAGE2 -> stage2(config);
            default -> throw new IllegalArgumentException("unknown graph '" + graph + "', expected one of " + ALL);
        };
    }
}
