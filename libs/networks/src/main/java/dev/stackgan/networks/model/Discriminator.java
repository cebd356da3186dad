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
import dev.stackgan.networks.nn.Reshape;

/**
 * STAGE1_D and STAGE2_D. The image encoder halves the side with 4x4 stride-2 convs down to 4 x 4, doubling the
 * channels from DF_DIM (first conv without BN); Stage-II adds two conv3x3 layers that halve the channels again.
 * D_GET_LOGITS: concat the (detached) condition tiled 4 x 4, conv3x3, BN, LeakyReLU, conv4x4 stride 4 -> one logit.
 * Stage-II also has an unconditional logit (conv4x4 stride 4 on the image code). Outputs are logits: the BCE loss
 * applies the sigmoid, the Wasserstein critic uses them as they are.
 */
public final class Discriminator extends Network {

    private final int imageSize;
    private final int conditionDim;
    private final Chain encoder;
    private final Chain conditionalJoint;
    private final Chain conditionalLogit;
    private final Chain unconditionalLogit;

    private Discriminator(ModelConfig config, int imageSize, int ndf, int channelHalvings, boolean unconditional) {
        this.imageSize = imageSize;
        this.conditionDim = config.conditionDim();
        boolean bn = config.variants().discriminatorBatchNorm();
        boolean spectral = config.variants().discriminatorSpectralNorm();
        float dropout = config.variants().discriminatorDropout();
        int downsamples = ModelConfig.log2(imageSize / ModelConfig.BASE_SIZE);
        int channels = ndf;
        encoder = addChildBlock("encoder", new Chain(Layers.normalised(Layers.down4x4(channels), spectral)));
        Layers.addLeakyRelu(encoder, dropout);
        for (int i = 1; i < downsamples; i++) {
            channels *= 2;
            encoder.add(Layers.normalised(Layers.down4x4(channels), spectral));
            Layers.addBatchNorm(encoder, bn);
            Layers.addLeakyRelu(encoder, dropout);
        }
        for (int i = 0; i < channelHalvings; i++) {
            channels /= 2;
            encoder.add(Layers.normalised(Layers.conv3x3(channels), spectral));
            Layers.addBatchNorm(encoder, bn);
            Layers.addLeakyRelu(encoder, dropout);
        }
        conditionalJoint = addChildBlock("cond_joint",
                new Chain(Layers.normalised(Layers.conv3x3(channels), spectral)));
        Layers.addBatchNorm(conditionalJoint, bn);
        Layers.addLeakyRelu(conditionalJoint, 0f);
        conditionalLogit = addChildBlock("cond_logit",
                new Chain(Layers.normalised(Layers.logit4x4(), spectral), new Reshape()));
        unconditionalLogit = unconditional
                ? addChildBlock("uncond_logit",
                        new Chain(Layers.normalised(Layers.logit4x4(), spectral), new Reshape())) : null;
    }

    /** Stage-I: 64 -> 4 x 4 with 8 DF_DIM channels in the paper; conditional logit only. */
    public static Discriminator stage1(ModelConfig config) {
        return new Discriminator(config, config.stage1().imageSize(), config.stage1().discriminatorDim(), 0, false);
    }

    /** Stage-II: 256 -> 4 x 4 with 32 DF_DIM channels, then 16 and 8 DF_DIM; conditional and unconditional logits. */
    public static Discriminator stage2(ModelConfig config) {
        return new Discriminator(config, config.stage2().imageSize(), config.stage2().discriminatorDim(), 2, true);
    }

    public boolean hasUnconditionalLogit() {
        return unconditionalLogit != null;
    }

    @Override
    protected Shape[] inputShapes() {
        return new Shape[] {new Shape(1, 3, imageSize, imageSize), new Shape(1, conditionDim)};
    }

    /** image [N, 3, S, S], condition mu [N, C] -> conditional logits [N] (and unconditional logits [N]). */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray code = encoder.forward(store, new NDList(inputs.get(0)), training).singletonOrThrow();
        NDArray joint = conditionalJoint.forward(store, new NDList(Layers.concatTiled(code, inputs.get(1))),
                training).singletonOrThrow();
        NDList logits = conditionalLogit.forward(store, new NDList(joint), training);
        if (unconditionalLogit != null) {
            logits.addAll(unconditionalLogit.forward(store, new NDList(code), training));
        }
        return logits;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes[0]);
        Shape code = encoder.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        conditionalJoint.initialize(manager, dataType,
                new Shape(code.get(0), code.get(1) + conditionDim, code.get(2), code.get(3)));
        conditionalLogit.initialize(manager, dataType, code);
        if (unconditionalLogit != null) {
            unconditionalLogit.initialize(manager, dataType, code);
        }
    }
}
