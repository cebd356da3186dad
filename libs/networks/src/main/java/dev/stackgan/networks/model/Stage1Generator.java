package dev.stackgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.nn.Chain;
import dev.stackgan.networks.nn.Layers;
import dev.stackgan.networks.nn.Nonlinearity;
import dev.stackgan.networks.nn.Reshape;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * STAGE1_G: concat(z, c) -> Linear(Z + C -> ngf x 4 x 4, no bias) -> BN1d -> ReLU -> up-blocks halving the channels
 * (ngf -> ngf/2 -> ... at the image size) -> conv3x3 -> 3 -> tanh. Its own Conditioning Augmentation head is trained
 * with it and exported into the text encoder graph.
 */
public final class Stage1Generator extends Network {

    private final ModelConfig config;
    private final ConditioningAugmentation conditioning;
    private final Chain body;

    public Stage1Generator(ModelConfig config) {
        this.config = config;
        boolean bn = config.variants().generatorBatchNorm();
        int channels = config.stage1().generatorChannels();
        int base = ModelConfig.BASE_SIZE;
        conditioning = addChildBlock("ca", new ConditioningAugmentation(config.conditionDim()));
        body = addChildBlock("body", new Chain(Layers.linear(channels * base * base, false)));
        Layers.addBatchNorm(body, bn);
        body.add(Nonlinearity.relu());
        body.add(new Reshape(channels, base, base));
        for (int i = 0; i < config.stage1().upBlocks(); i++) {
            channels /= 2;
            body.add(Layers.upBlock(channels, bn));
        }
        body.add(Layers.conv3x3(3));
        body.add(Nonlinearity.tanh());
    }

    public ConditioningAugmentation conditioning() {
        return conditioning;
    }

    @Override
    protected Shape[] inputShapes() {
        return new Shape[] {new Shape(1, config.conditionDim()), new Shape(1, config.noiseDim())};
    }

    /** c [N, C], z [N, Z] -> image [N, 3, S1, S1] in [-1, 1]. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray c = inputs.get(0);
        NDArray z = inputs.get(1);
        return body.forward(store, new NDList(z.concat(c, 1)), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        conditioning.initialize(manager, dataType, new Shape(batch, config.text().sentenceDim()));
        body.initialize(manager, dataType, new Shape(batch, config.noiseDim() + config.conditionDim()));
    }

    public String exportOnnx(OnnxGraph graph, String c, String z) {
        String joint = graph.node("Concat", List.of(z, c), OnnxGraph.intAttr("axis", 1));
        return graph.layer(body, joint);
    }
}
