package dev.stackgan.networks.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * A one-layer bidirectional LSTM that respects each caption's length, returning the final hidden state of both
 * directions, [N, 2H] (DAMSM's sentence vector, which runs over a packed sequence).
 *
 * <p>Written out rather than DJL's fused LSTM because that one has no sequence lengths: padding would leak into the
 * backward direction. Gates are stored in ONNX order (input, output, forget, cell) so the export is a plain copy
 * into ONNX's LSTM operator with {@code sequence_lens}, which has the same semantics.
 */
public final class BidirectionalLstm extends AbstractBlock {

    private static final String[] DIRECTIONS = {"forward", "backward"};

    private final int hidden;
    private final Parameter[] inputWeights = new Parameter[2];
    private final Parameter[] recurrentWeights = new Parameter[2];
    private final Parameter[] inputBiases = new Parameter[2];
    private final Parameter[] recurrentBiases = new Parameter[2];

    public BidirectionalLstm(int inputSize, int hidden) {
        this.hidden = hidden;
        // PyTorch's LSTM initialisation: U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias
        UniformInitializer init = new UniformInitializer((float) (1.0 / Math.sqrt(hidden)));
        for (int d = 0; d < 2; d++) {
            inputWeights[d] = addParameter(param(DIRECTIONS[d] + "_W", init, 4L * hidden, inputSize));
            recurrentWeights[d] = addParameter(param(DIRECTIONS[d] + "_R", init, 4L * hidden, hidden));
            inputBiases[d] = addParameter(param(DIRECTIONS[d] + "_Wb", init, 4L * hidden));
            recurrentBiases[d] = addParameter(param(DIRECTIONS[d] + "_Rb", init, 4L * hidden));
        }
    }

    private static Parameter param(String name, UniformInitializer init, long... shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optShape(new Shape(shape))
                .optInitializer(init).build();
    }

    /**
     * @param inputs x [N, T, E] and lengths [N] (float, at least 1): steps at or past a caption's length leave the
     *               state unchanged
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray lengths = inputs.get(1);
        long batch = x.getShape().get(0);
        long steps = x.getShape().get(1);
        NDArray mask = x.getManager().arange((float) steps).expandDims(0).lt(lengths.expandDims(1))
                .toType(DataType.FLOAT32, false); // [N, T]
        NDArray[] finals = new NDArray[2];
        for (int d = 0; d < 2; d++) {
            NDArray w = store.getValue(inputWeights[d], x.getDevice(), training);
            NDArray r = store.getValue(recurrentWeights[d], x.getDevice(), training);
            NDArray bias = store.getValue(inputBiases[d], x.getDevice(), training)
                    .add(store.getValue(recurrentBiases[d], x.getDevice(), training));
            // all input projections at once: [N, T, 4H]
            NDArray projected = x.matMul(w.transpose()).add(bias);
            NDArray h = x.getManager().zeros(new Shape(batch, hidden));
            NDArray c = x.getManager().zeros(new Shape(batch, hidden));
            for (long i = 0; i < steps; i++) {
                long t = d == 0 ? i : steps - 1 - i;
                NDList gates = projected.get(":, {}, :", t).add(h.matMul(r.transpose())).split(4, 1);
                NDArray in = Activation.sigmoid(gates.get(0));
                NDArray out = Activation.sigmoid(gates.get(1));
                NDArray forget = Activation.sigmoid(gates.get(2));
                NDArray cell = Activation.tanh(gates.get(3));
                NDArray cNext = forget.mul(c).add(in.mul(cell));
                NDArray hNext = out.mul(Activation.tanh(cNext));
                NDArray m = mask.get(":, {}", t).expandDims(1);
                c = c.add(cNext.sub(c).mul(m));
                h = h.add(hNext.sub(h).mul(m));
            }
            finals[d] = h;
        }
        return new NDList(finals[0].concat(finals[1], 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 2L * hidden)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children; parameters have fixed shapes
    }

    /**
     * Appends ONNX's LSTM operator.
     *
     * @param sequence [T, N, E] (time-major, ONNX layout 0)
     * @param lengths  [N] int32
     * @return the final hidden states [N, 2H], forward then backward
     */
    public String exportOnnx(OnnxGraph graph, String sequence, String lengths) {
        String w;
        String r;
        String b;
        // the stacked copies exist only until the graph holds their bytes
        try (NDScope ignored = new NDScope()) {
            w = graph.weight("lstm_W", inputWeights[0].getArray().stack(inputWeights[1].getArray()));
            r = graph.weight("lstm_R", recurrentWeights[0].getArray().stack(recurrentWeights[1].getArray()));
            // ONNX wants [2, 8H]: each direction's input bias followed by its recurrent bias
            b = graph.weight("lstm_B", inputBiases[0].getArray().concat(recurrentBiases[0].getArray())
                    .stack(inputBiases[1].getArray().concat(recurrentBiases[1].getArray())));
        }
        List<String> outputs = graph.nodeOutputs("LSTM", List.of(sequence, w, r, b, lengths), 3,
                OnnxGraph.intAttr("hidden_size", hidden), OnnxGraph.stringAttr("direction", "bidirectional"));
        String finalHidden = outputs.get(1); // Y_h [2, N, H]
        String batchMajor = graph.node("Transpose", finalHidden, OnnxGraph.ints("perm", 1, 0, 2));
        return graph.node("Reshape", List.of(batchMajor, graph.longs("shape", -1, 2L * hidden)));
    }
}
