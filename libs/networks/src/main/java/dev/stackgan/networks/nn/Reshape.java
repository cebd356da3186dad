package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/** Reshapes to {@code [batch, dims...]}, keeping the batch dimension dynamic. */
public final class Reshape extends AbstractBlock implements OnnxExportable {

    private final long[] dims;

    public Reshape(long... dims) {
        this.dims = dims.clone();
    }

    private long[] withBatch(long batch) {
        long[] shape = new long[dims.length + 1];
        shape[0] = batch;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        return shape;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(inputs.singletonOrThrow().reshape(withBatch(-1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(withBatch(inputShapes[0].get(0)))};
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        return graph.node("Reshape", List.of(input, graph.longs("shape", withBatch(-1))));
    }
}
