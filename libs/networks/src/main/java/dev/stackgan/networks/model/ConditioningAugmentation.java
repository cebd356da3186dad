package dev.stackgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.nn.Layers;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * Conditioning Augmentation (CA_NET): Linear(E -> 2C) + ReLU split into mu and logvar; c = mu + exp(logvar / 2) * eps.
 * The noise eps is an argument, never drawn here, so a seed fixes the result everywhere.
 */
public final class ConditioningAugmentation extends AbstractBlock {

    private final int conditionDim;
    private final Linear fc;

    public ConditioningAugmentation(int conditionDim) {
        this.conditionDim = conditionDim;
        fc = addChildBlock("fc", Layers.linear(2 * conditionDim, true));
    }

    /** sentence [N, E] -> mu [N, C], logvar [N, C]. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = Activation.relu(fc.forward(store, inputs, training).singletonOrThrow());
        return x.split(2, 1);
    }

    public static NDArray sample(NDArray mu, NDArray logvar, NDArray eps) {
        return eps.mul(logvar.mul(0.5f).exp()).add(mu);
    }

    /** KL(N(mu, sigma) || N(0, I)), averaged over all elements as in the reference. */
    public static NDArray klDivergence(NDArray mu, NDArray logvar) {
        return logvar.add(1f).sub(mu.square()).sub(logvar.exp()).mean().mul(-0.5f);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape out = new Shape(inputShapes[0].get(0), conditionDim);
        return new Shape[] {out, out};
    }

    /** Appends mu, logvar and c for {@code sentence} and {@code noise}; returns their names in that order. */
    public List<String> exportOnnx(OnnxGraph graph, String sentence, String noise) {
        String hidden = graph.node("Relu", graph.layer(fc, sentence));
        List<String> muLogvar = graph.nodeOutputs("Split",
                List.of(hidden, graph.longs("split", conditionDim, conditionDim)), 2, OnnxGraph.intAttr("axis", 1));
        String mu = muLogvar.get(0);
        String logvar = muLogvar.get(1);
        String std = graph.node("Exp", graph.node("Mul", List.of(logvar, graph.scalar("half", 0.5f))));
        String c = graph.node("Add", List.of(graph.node("Mul", List.of(noise, std)), mu));
        return List.of(mu, logvar, c);
    }
}
