package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * Linear-interpolation upsampling by an even factor f: nearest-neighbour x f, then an f x f box average (a box
 * convolved with a box is the triangle of linear interpolation), borders averaged over the pixels inside only. Input
 * pixel p lands exactly on output 2p + f / 2 (half an output pixel off PyTorch's bilinear centres). DJL's PyTorch
 * engine has no interpolate; these two operators exist in both engines. It is the residual Stage-II's base, so that
 * an untrained Stage-II returns a smooth picture rather than f x f blocks.
 */
public final class LinearUpsample extends AbstractBlock implements OnnxExportable {

    private final NearestUpsample nearest;
    private final int factor;

    public LinearUpsample(int factor) {
        if (factor < 2 || factor % 2 != 0) {
            throw new IllegalArgumentException("factor must be even, got " + factor);
        }
        this.factor = factor;
        this.nearest = new NearestUpsample(factor);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    public NDArray apply(NDArray map) {
        NDArray blocks = nearest.apply(map);
        long side = blocks.getShape().get(2);
        // symmetric padding f / 2 gives one output too many; the first `side` are the windows [i - f/2, i + f/2 - 1].
        // DJL's PyTorch avgPool2d counts the padding in the divisor whatever its flag says (LinearUpsampleParityTest
        // caught it at the borders), so the sums are divided by the pooled count of real pixels instead.
        NDArray averaged = box(blocks).div(box(blocks.getManager().ones(new Shape(1, 1, side, side))));
        return averaged.get(new NDIndex(":, :, :{}, :{}", side, side));
    }

    private NDArray box(NDArray map) {
        return Pool.avgPool2d(map, new Shape(factor, factor), new Shape(1, 1), new Shape(factor / 2, factor / 2),
                false, true);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return nearest.getOutputShapes(inputShapes);
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String blocks = graph.layer(nearest, input);
        int before = factor / 2;
        return graph.node("AveragePool", List.of(blocks), OnnxGraph.ints("kernel_shape", factor, factor),
                OnnxGraph.ints("strides", 1, 1), OnnxGraph.ints("pads", before, before, before - 1, before - 1),
                OnnxGraph.intAttr("count_include_pad", 0));
    }
}
