package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/** StackGAN's ResBlock: conv3x3-BN-ReLU-conv3x3-BN, add the input, ReLU. */
public final class ResidualBlock extends AbstractBlock implements OnnxExportable {

    private final Chain body;

    public ResidualBlock(int channels, boolean batchNorm) {
        body = addChildBlock("body", new Chain());
        body.add(Layers.conv3x3(channels));
        Layers.addBatchNorm(body, batchNorm);
        body.add(Nonlinearity.relu());
        body.add(Layers.conv3x3(channels));
        Layers.addBatchNorm(body, batchNorm);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray residual = body.forward(store, inputs, training).singletonOrThrow();
        return new NDList(Activation.relu(residual.add(x)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String residual = graph.layer(body, input);
        return graph.node("Relu", graph.node("Add", List.of(residual, input)));
    }
}
