package dev.stackgan.trainer.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.trainer.onnx.OnnxExportable;
import dev.stackgan.trainer.onnx.OnnxGraph;
import java.util.List;

/** Nearest-neighbour x2 upsampling of an N x C x H x W map (StackGAN's {@code nn.Upsample(scale_factor=2)}). */
public final class Upsample2x extends AbstractBlock implements OnnxExportable {

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        // repeat along H then W equals interpolate(mode=nearest), gradients included
        return new NDList(inputs.singletonOrThrow().repeat(2, 2).repeat(3, 2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1), s.get(2) * 2, s.get(3) * 2)};
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String scales = graph.floats("upsample_scales", new float[] {1f, 1f, 2f, 2f}, 4);
        return graph.node("Resize", List.of(input, "", scales),
                OnnxGraph.stringAttr("mode", "nearest"),
                OnnxGraph.stringAttr("coordinate_transformation_mode", "asymmetric"),
                OnnxGraph.stringAttr("nearest_mode", "floor"));
    }
}
