package dev.stackgan.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;
import java.util.List;

/**
 * A run's matching encoders in eval mode, as the evaluation reads them: sentence vectors of captions, and image
 * vectors of images at a stage's size (average-pooled to the image encoder's size first).
 */
public final class MatchingEncoders implements Evaluator.Encoders {

    private final NDManager manager;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final Vocabulary vocabulary;
    private final ModelConfig config;
    private final int imageSize;

    /** @param manager parent of the per-call scopes; {@code imageSize} is the side of the images to encode */
    public MatchingEncoders(NDManager manager, TextEncoder textEncoder, ImageEncoder imageEncoder,
                            Vocabulary vocabulary, ModelConfig config, int imageSize) {
        this.manager = manager;
        this.textEncoder = textEncoder;
        this.imageEncoder = imageEncoder;
        this.vocabulary = vocabulary;
        this.config = config;
        this.imageSize = imageSize;
    }

    @Override
    public float[] sentences(List<String> captions) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = scope.create(vocabulary.tokenIds(captions, config.text().maxWords()),
                    new Shape(captions.size(), config.text().maxWords()));
            return textEncoder.forward(new ParameterStore(scope, false), new NDList(ids), false)
                    .singletonOrThrow().toFloatArray();
        }
    }

    @Override
    public float[] images(float[] images, int count) {
        int size = config.imageEncoder().imageSize();
        float[] pooled = Evaluator.downsample(images, count, imageSize, size);
        try (NDManager scope = manager.newSubManager()) {
            return imageEncoder.forward(new ParameterStore(scope, false),
                    new NDList(scope.create(pooled, new Shape(count, 3, size, size))), false)
                    .singletonOrThrow().toFloatArray();
        }
    }

    @Override
    public int dimension() {
        return config.text().sentenceDim();
    }
}
