package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * Nearest-neighbour upsampling of an N x C x H x W map by an integer factor (StackGAN's
 * {@code nn.Upsample(scale_factor=2)} in its up-blocks; x4 under a residual Stage-II).
 */
public final class NearestUpsample extends AbstractBlock implements OnnxExportable {

    private final int factor;

    public NearestUpsample(int factor) {
        this.factor = factor;
    }

    /** The up-blocks' x2. */
    public static NearestUpsample doubling() {
        return new NearestUpsample(2);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    /** Repeating along H then W equals interpolate(mode=nearest), gradients included. */
    public NDArray apply(NDArray map) {
        return map.repeat(2, factor).repeat(3, factor);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) * factor, s.get(3) * factor)};
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String scales = graph.floats("upsample_scales", new float[] {1f, 1f, factor, factor}, 4);
        return graph.node("Resize", List.of(input, "", scales),
                OnnxGraph.stringAttr("mode", "nearest"),
                OnnxGraph.stringAttr("coordinate_transformation_mode", "asymmetric"),
                OnnxGraph.stringAttr("nearest_mode", "floor"));
    }
}
