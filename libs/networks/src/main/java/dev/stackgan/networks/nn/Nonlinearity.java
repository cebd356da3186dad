package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;

/** ReLU, LeakyReLU(0.2) or tanh as a block that can export itself (DJL's lambda activations cannot). */
public final class Nonlinearity extends AbstractBlock implements OnnxExportable {

    /** StackGAN's discriminator slope. */
    public static final float LEAKY_SLOPE = 0.2f;

    private enum Kind { RELU, LEAKY_RELU, TANH }

    private final Kind kind;

    private Nonlinearity(Kind kind) {
        this.kind = kind;
    }

    public static Nonlinearity relu() {
        return new Nonlinearity(Kind.RELU);
    }

    public static Nonlinearity leakyRelu() {
        return new Nonlinearity(Kind.LEAKY_RELU);
    }

    public static Nonlinearity tanh() {
        return new Nonlinearity(Kind.TANH);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return new NDList(switch (kind) {
            case RELU -> Activation.relu(x);
            case LEAKY_RELU -> Activation.leakyRelu(x, LEAKY_SLOPE);
            case TANH -> Activation.tanh(x);
        });
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        return switch (kind) {
            case RELU -> graph.node("Relu", input);
            case LEAKY_RELU -> graph.node("LeakyRelu", input, OnnxGraph.floatAttr("alpha", LEAKY_SLOPE));
            case TANH -> graph.node("Tanh", input);
        };
    }
}
