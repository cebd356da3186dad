package dev.stackgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.nn.BidirectionalLstm;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;

/**
 * DAMSM's text encoder (AttnGAN's RNN_ENCODER): word embedding, dropout, one bidirectional LSTM layer over the
 * caption's words; the sentence vector is the final hidden state of both directions. It replaces StackGAN's
 * char-CNN-RNN embedding, whose Torch7 weights are no longer obtainable.
 */
public final class TextEncoder extends Network {

    private final ModelConfig.TextEncoderConfig config;
    private final Parameter embedding;
    private final BidirectionalLstm lstm;

    public TextEncoder(ModelConfig.TextEncoderConfig config) {
        this.config = config;
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.OTHER)
                .optShape(new Shape(config.vocabularySize(), config.embeddingDim()))
                .optInitializer(new UniformInitializer(0.1f)) // DAMSM: U(-0.1, 0.1)
                .build());
        lstm = addChildBlock("lstm", new BidirectionalLstm(config.embeddingDim(), config.hiddenPerDirection()));
    }

    @Override
    protected Shape[] inputShapes() {
        return new Shape[] {new Shape(1, config.maxWords())};
    }

    /** token ids [N, T] int64 -> sentence vectors [N, 2H]. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        // captions without words still get one (padding) step, as in the exported graph
        NDArray lengths = ids.neq(Vocabulary.PAD_ID).toType(DataType.FLOAT32, false).sum(new int[] {1})
                .maximum(1f);
        NDArray table = store.getValue(embedding, ids.getDevice(), training);
        NDArray words = ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        words = Dropout.dropout(words, config.dropout(), training).singletonOrThrow();
        return lstm.forward(store, new NDList(words, lengths), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        lstm.initialize(manager, dataType, new Shape(batch, config.maxWords(), config.embeddingDim()),
                new Shape(batch));
    }

    /** Appends the sentence vector of {@code tokenIds} [N, T] (int64) and returns its name. */
    public String exportOnnx(OnnxGraph graph, String tokenIds) {
        String words = graph.node("Gather", List.of(graph.weight("embedding", embedding.getArray()), tokenIds),
                OnnxGraph.intAttr("axis", 0));
        String timeMajor = graph.node("Transpose", words, OnnxGraph.ints("perm", 1, 0, 2));
        String isWord = graph.node("Cast",
                graph.node("Not", graph.node("Equal", List.of(tokenIds, graph.longs("pad", Vocabulary.PAD_ID)))),
                OnnxGraph.intAttr("to", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT.getNumber()));
        String count = graph.node("ReduceSum", List.of(isWord, graph.longs("axes", 1)),
                OnnxGraph.intAttr("keepdims", 0));
        String lengths = graph.node("Cast", graph.node("Max", List.of(count, graph.scalar("one", 1f))),
                OnnxGraph.intAttr("to", ai.onnx.proto.OnnxMl.TensorProto.DataType.INT32.getNumber()));
        return lstm.exportOnnx(graph, timeMajor, lengths);
    }
}
