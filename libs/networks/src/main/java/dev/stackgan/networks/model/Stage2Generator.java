package dev.stackgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.nn.Chain;
import dev.stackgan.networks.nn.Layers;
import dev.stackgan.networks.nn.LinearUpsample;
import dev.stackgan.networks.nn.Nonlinearity;
import dev.stackgan.networks.nn.ResidualBlock;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * STAGE2_G without the frozen Stage-I generator in front (training chains the two; serving runs them as two
 * graphs). Encoder: conv3x3(3 -> ngf) ReLU, conv4x4 s2 (-> 2ngf) BN ReLU, conv4x4 s2 (-> 4ngf) BN ReLU; concat c
 * tiled over the map; hr_joint conv3x3 (4ngf + C -> 4ngf) BN ReLU; residual blocks; up-blocks 4ngf -> 2ngf -> ngf ->
 * ... to the Stage-II size; conv3x3 -> 3, tanh. Under the {@code stage2Residual} variant the last conv is a
 * correction to the Stage-I image upsampled (linearly, {@link LinearUpsample}) to the Stage-II size:
 * {@code tanh(atanh(up(x)) + correction)}, the correction's conv initialized to zero, so the untrained network
 * returns the upsampled Stage-I image exactly.
 */
public final class Stage2Generator extends Network {

    /** The upsampled Stage-I image is clipped here before atanh, which is infinite at +-1. */
    private static final float RESIDUAL_BASE_LIMIT = 0.999f;

    private final ModelConfig config;
    private final ConditioningAugmentation conditioning;
    private final Chain encoder;
    private final Chain decoder;
    /** Set under the residual variant: brings the Stage-I image to the Stage-II size. */
    private final LinearUpsample residualBase;
    private final Conv2d lastConv;

    public Stage2Generator(ModelConfig config) {
        this.config = config;
        boolean bn = config.variants().generatorBatchNorm();
        int ngf = config.stage2().generatorDim();
        conditioning = addChildBlock("ca", new ConditioningAugmentation(config.conditionDim()));
        encoder = addChildBlock("encoder", new Chain(Layers.conv3x3(ngf), Nonlinearity.relu()));
        int channels = ngf;
        for (int i = 0; i < ModelConfig.STAGE2_ENCODER_DOWNSAMPLES; i++) {
            channels *= 2;
            encoder.add(Layers.down4x4(channels));
            Layers.addBatchNorm(encoder, bn);
            encoder.add(Nonlinearity.relu());
        }
        decoder = addChildBlock("decoder", new Chain(Layers.conv3x3(channels)));
        Layers.addBatchNorm(decoder, bn);
        decoder.add(Nonlinearity.relu());
        for (int i = 0; i < config.stage2().residualBlocks(); i++) {
            decoder.add(new ResidualBlock(channels, bn));
        }
        for (int i = 0; i < config.stage2UpBlocks(); i++) {
            channels /= 2;
            decoder.add(Layers.upBlock(channels, bn));
        }
        lastConv = Layers.conv3x3(3);
        decoder.add(lastConv);
        if (config.variants().stage2Residual()) {
            residualBase = new LinearUpsample(config.stage2().imageSize() / config.stage1().imageSize());
        } else {
            residualBase = null;
            decoder.add(Nonlinearity.tanh());
        }
    }

    /** The reference initialization, except that a residual correction starts at zero. */
    @Override
    public void initialize(NDManager manager) {
        super.initialize(manager);
        if (residualBase != null) {
            // PyTorch keeps grad mode per thread, and a thread the engine was not loaded on starts with it on, where
            // an in-place write to a parameter is refused (a trainer exporting on a gRPC thread after training).
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                lastConv.getParameters().valueAt(0).getArray().muli(0f);
            } finally {
                JniUtils.setGradMode(gradMode);
            }
        }
    }

    public ConditioningAugmentation conditioning() {
        return conditioning;
    }

    @Override
    protected Shape[] inputShapes() {
        int size = config.stage1().imageSize();
        return new Shape[] {new Shape(1, 3, size, size), new Shape(1, config.conditionDim())};
    }

    /** Stage-I image [N, 3, S1, S1], c [N, C] -> image [N, 3, S2, S2] in [-1, 1]. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray stage1Image = inputs.get(0);
        NDArray features = encoder.forward(store, new NDList(stage1Image), training).singletonOrThrow();
        NDList painted = decoder.forward(store, new NDList(Layers.concatTiled(features, inputs.get(1))), training);
        if (residualBase == null) {
            return painted;
        }
        NDArray up = residualBase.apply(stage1Image).clip(-RESIDUAL_BASE_LIMIT, RESIDUAL_BASE_LIMIT);
        NDArray base = up.add(1f).div(up.neg().add(1f)).log().mul(0.5f); // atanh, which DJL's PyTorch engine lacks
        return new NDList(base.add(painted.singletonOrThrow()).tanh());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        conditioning.initialize(manager, dataType, new Shape(batch, config.text().sentenceDim()));
        encoder.initialize(manager, dataType, inputShapes[0]);
        Shape encoded = encoder.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        decoder.initialize(manager, dataType,
                new Shape(batch, encoded.get(1) + config.conditionDim(), encoded.get(2), encoded.get(3)));
    }

    public String exportOnnx(OnnxGraph graph, String stage1Image, String c) {
        String features = graph.layer(encoder, stage1Image);
        String painted = graph.layer(decoder, Layers.concatTiled(graph, features, c, config.stage2JointSize()));
        if (residualBase == null) {
            return painted;
        }
        String upsampled = graph.layer(residualBase, stage1Image);
        String clipped = graph.node("Clip", List.of(upsampled, graph.scalar("base_min", -RESIDUAL_BASE_LIMIT),
                graph.scalar("base_max", RESIDUAL_BASE_LIMIT)));
        return graph.node("Tanh", graph.node("Add", List.of(graph.node("Atanh", clipped), painted)));
    }
}
