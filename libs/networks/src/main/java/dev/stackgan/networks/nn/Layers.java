package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/** StackGAN's layer vocabulary (the reference code's conv3x3, upBlock, downsampling convs) as DJL blocks. */
public final class Layers {

    /** PyTorch's BatchNorm momentum 0.1 is DJL's 0.9 (DJL weighs the running value). */
    private static final float BATCH_NORM_MOMENTUM = 0.9f;

    private Layers() {
    }

    /** 3x3 conv, stride 1, padding 1, no bias (the reference {@code conv3x3}). */
    public static Conv2d conv3x3(int outChannels) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                .setFilters(outChannels).optBias(false).build();
    }

    /** 4x4 conv, stride 2, padding 1, no bias: halves the side. */
    public static Conv2d down4x4(int outChannels) {
        return Conv2d.builder().setKernelShape(new Shape(4, 4)).optStride(new Shape(2, 2))
                .optPadding(new Shape(1, 1)).setFilters(outChannels).optBias(false).build();
    }

    /** 4x4 conv, stride 4, with bias: a 4 x 4 map to one logit (the reference's last discriminator conv). */
    public static Conv2d logit4x4() {
        return Conv2d.builder().setKernelShape(new Shape(4, 4)).optStride(new Shape(4, 4)).setFilters(1)
                .optBias(true).build();
    }

    /** The convolution itself, or wrapped in spectral normalisation (discriminators under the variant). */
    public static Block normalised(Conv2d conv, boolean spectralNorm) {
        return spectralNorm ? new SpectralNormConv(conv) : conv;
    }

    public static Linear linear(int units, boolean bias) {
        return Linear.builder().setUnits(units).optBias(bias).build();
    }

    public static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(OnnxGraph.BATCH_NORM_EPSILON).optMomentum(BATCH_NORM_MOMENTUM)
                .build();
    }

    /** Adds batch norm unless the variant turns it off. */
    public static void addBatchNorm(SequentialBlock chain, boolean enabled) {
        if (enabled) {
            chain.add(batchNorm());
        }
    }

    /** LeakyReLU(0.2), then dropout when the variant sets a rate. */
    public static void addLeakyRelu(SequentialBlock chain, float dropout) {
        chain.add(Nonlinearity.leakyRelu());
        if (dropout > 0f) {
            chain.add(Dropout.builder().optRate(dropout).build());
        }
    }

    /** upBlock: nearest x2, conv3x3 (no bias), BN, ReLU. */
    public static Chain upBlock(int outChannels, boolean batchNorm) {
        Chain block = new Chain(NearestUpsample.doubling(), conv3x3(outChannels));
        addBatchNorm(block, batchNorm);
        block.add(Nonlinearity.relu());
        return block;
    }

    /** Tiles {@code c} [N, C] to [N, C, side, side] and appends it to {@code features} along channels. */
    public static NDArray concatTiled(NDArray features, NDArray c) {
        long side = features.getShape().get(2);
        NDArray tiled = c.expandDims(2).expandDims(3).tile(new long[] {1, 1, side, side});
        return features.concat(tiled, 1);
    }

    /** ONNX counterpart of {@link #concatTiled}. */
    public static String concatTiled(OnnxGraph graph, String features, String c, long side) {
        String expanded = graph.node("Unsqueeze", List.of(c, graph.longs("axes", 2, 3)));
        String tiled = graph.node("Tile", List.of(expanded, graph.longs("repeats", 1, 1, side, side)));
        return graph.node("Concat", List.of(features, tiled), OnnxGraph.intAttr("axis", 1));
    }
}
