package dev.stackgan.networks.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains the text encoder with DAMSM's sentence loss (AttnGAN): within a batch, each image's sentence must score
 * higher (cosine similarity x gamma3) than the other captions, and each caption's image higher than the other
 * images; pairs from the same class are masked out, since their captions may describe the other image too.
 */
public final class MatchingTrainer {

    /** AttnGAN clips the RNN's gradient norm to 0.25 (RNN_GRAD_CLIP). */
    public static final float TEXT_GRADIENT_CLIP = 0.25f;
    private static final float MASKED = -1e9f;

    private final NDManager manager;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final float gamma;
    private final ParameterOptimizer textOptimizer;
    private final ParameterOptimizer imageOptimizer;

    public MatchingTrainer(NDManager manager, TextEncoder textEncoder, ImageEncoder imageEncoder,
                           TrainingConfig config) {
        this.manager = manager;
        this.textEncoder = textEncoder;
        this.imageEncoder = imageEncoder;
        this.gamma = config.matchingGamma();
        float lr = config.textEncoderLr() * config.lrMultiplier();
        textOptimizer = ParameterOptimizer.create(config.optimizer(), textEncoder, lr);
        imageOptimizer = ParameterOptimizer.create(config.optimizer(), imageEncoder, lr);
    }

    public ParameterOptimizer textOptimizer() {
        return textOptimizer;
    }

    public ParameterOptimizer imageOptimizer() {
        return imageOptimizer;
    }

    /**
     * @param tokenIds captions [N, T] int64
     * @param images   their images [N, 3, S, S]
     * @param classIds class of each pair [N] int64
     * @return the sentence loss (both directions summed)
     */
    public float step(NDArray tokenIds, NDArray images, NDArray classIds) {
        ParameterStore store = new ParameterStore(manager, false);
        try (NDScope ignored = new NDScope()) {
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray sentences = textEncoder.forward(store, new NDList(tokenIds), true).singletonOrThrow();
                NDArray imageVectors = imageEncoder.forward(store, new NDList(images), true).singletonOrThrow();
                loss = sentenceLoss(imageVectors, sentences, classIds, gamma);
                textOptimizer.zeroGradients();
                imageOptimizer.zeroGradients();
                collector.backward(loss);
            }
            clipGradientNorm(textOptimizer.parameters(), TEXT_GRADIENT_CLIP);
            textOptimizer.step();
            imageOptimizer.step();
            return loss.getFloat();
        }
    }

    /** DAMSM sentence loss: cross entropy of the scaled cosine-similarity matrix, rows and columns. */
    public static NDArray sentenceLoss(NDArray imageVectors, NDArray sentences, NDArray classIds, float gamma) {
        NDArray similarity = normalize(imageVectors).matMul(normalize(sentences).transpose()).mul(gamma);
        long n = similarity.getShape().get(0);
        NDArray eye = similarity.getManager().eye((int) n);
        NDArray sameClass = classIds.expandDims(1).eq(classIds.expandDims(0)).toType(DataType.FLOAT32, false);
        NDArray masked = similarity.add(sameClass.sub(eye).mul(MASKED));
        NDArray rows = masked.logSoftmax(1).mul(eye).sum().neg().div(n);
        NDArray columns = masked.transpose().logSoftmax(1).mul(eye).sum().neg().div(n);
        return rows.add(columns);
    }

    private static NDArray normalize(NDArray vectors) {
        return vectors.div(vectors.square().sum(new int[] {1}, true).sqrt().maximum(1e-8f));
    }

    /** Scales the gradients so that their joint L2 norm is at most {@code maxNorm} (torch's clip_grad_norm_). */
    static void clipGradientNorm(List<Parameter> parameters, float maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        double squared = 0;
        for (Parameter parameter : parameters) {
            NDArray grad = parameter.getArray().getGradient();
            grads.add(grad);
            squared += grad.square().sum().getFloat();
        }
        double norm = Math.sqrt(squared);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            grads.forEach(g -> g.muli(scale));
        }
    }
}
