package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A convolution whose weight is divided by its largest singular value (spectral normalisation, Miyato et al. 2018),
 * estimated with one power iteration per training forward pass as in the reference implementation. The iteration's
 * vector u is a non-trainable parameter, so checkpoints carry it and a resumed run continues the same estimate.
 * Used in the discriminators only, which are never exported.
 */
public final class SpectralNormConv extends AbstractBlock {

    private static final float EPSILON = 1e-12f;

    private final Conv2d conv;
    private final Parameter u;

    public SpectralNormConv(Conv2d conv) {
        this.conv = addChildBlock("conv", conv);
        u = addParameter(Parameter.builder().setName("u").setType(Parameter.Type.OTHER).optRequiresGrad(false)
                .optInitializer((manager, shape, type) -> unit(manager.randomNormal(shape, type))).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray weight = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
        NDArray matrix = weight.reshape(weight.getShape().get(0), -1);
        // a copy: D runs several times per step and the parameter moves in place, under autograd's feet otherwise
        NDArray estimate = u.getArray().duplicate();
        NDArray frozen = matrix.stopGradient();
        NDArray v = unit(frozen.transpose().matMul(estimate.expandDims(1)).squeeze(1));
        if (training) {
            estimate = unit(frozen.matMul(v.expandDims(1)).squeeze(1));
            estimate.copyTo(u.getArray()); // one power iteration per training pass, never moved by a gradient
        }
        NDArray sigma = estimate.expandDims(0).matMul(matrix).matMul(v.expandDims(1)).reshape(1);
        NDArray normalised = weight.div(sigma);
        NDArray bias = conv.getParameters().contains("bias")
                ? store.getValue(conv.getParameters().get("bias"), x.getDevice(), training) : null;
        return Conv2d.conv2d(x, normalised, bias, conv.getStride(), conv.getPadding(), conv.getDilation(), 1);
    }

    private static NDArray unit(NDArray vector) {
        return vector.div(vector.norm().add(EPSILON));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        u.setShape(new Shape(conv.getOutputShapes(inputShapes)[0].get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
