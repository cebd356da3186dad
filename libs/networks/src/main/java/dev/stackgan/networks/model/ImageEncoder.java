package dev.stackgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.nn.Chain;
import dev.stackgan.networks.nn.Layers;

/**
 * The image side of the image-sentence matching loss (DAMSM's CNN_ENCODER, with a small CNN in place of the
 * ImageNet Inception-v3 that cannot be downloaded here): stride-2 convs down to 4 x 4, global average pooling, a
 * linear projection into the sentence space.
 */
public final class ImageEncoder extends Network {

    private final ModelConfig config;
    private final Chain features;
    private final Linear projection;

    public ImageEncoder(ModelConfig config) {
        this.config = config;
        int channels = config.imageEncoder().channels();
        features = addChildBlock("features", new Chain(Layers.down4x4(channels)));
        Layers.addLeakyRelu(features, 0f);
        int downsamples = ModelConfig.log2(config.imageEncoder().imageSize() / ModelConfig.BASE_SIZE);
        for (int i = 1; i < downsamples; i++) {
            channels *= 2;
            features.add(Layers.down4x4(channels));
            features.add(Layers.batchNorm());
            Layers.addLeakyRelu(features, 0f);
        }
        projection = addChildBlock("projection", Layers.linear(config.text().sentenceDim(), true));
    }

    /** Side of the square images it reads. */
    public int imageSize() {
        return config.imageEncoder().imageSize();
    }

    @Override
    protected Shape[] inputShapes() {
        int size = config.imageEncoder().imageSize();
        return new Shape[] {new Shape(1, 3, size, size)};
    }

    /** images [N, 3, S, S] -> image vectors [N, 2H] in the sentence space. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray maps = features.forward(store, inputs, training).singletonOrThrow();
        NDArray pooled = maps.mean(new int[] {3}).mean(new int[] {2}); // DJL's PyTorch mean takes one axis at a time
        return projection.forward(store, new NDList(pooled), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        Shape maps = features.getOutputShapes(inputShapes)[0];
        projection.initialize(manager, dataType, new Shape(maps.get(0), maps.get(1)));
    }
}
