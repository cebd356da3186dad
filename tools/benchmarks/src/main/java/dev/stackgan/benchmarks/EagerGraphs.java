package dev.stackgan.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.networks.model.ConditioningAugmentation;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.onnx.BundleExporter;
import dev.stackgan.networks.onnx.GraphExporter;
import java.util.Map;

/**
 * The three serving networks of one config with fresh reference-initialized weights, run in PyTorch eager mode
 * (DJL, eval mode: {@code training = false}; autograd is off outside a gradient collector), graph by graph with the
 * same inputs and outputs as the exported ONNX graphs.
 */
public final class EagerGraphs implements AutoCloseable {

    public final ModelConfig config;
    public final TextEncoder textEncoder;
    public final Stage1Generator stage1;
    public final Stage2Generator stage2;
    private final NDManager manager = NDManager.newBaseManager();
    private final ParameterStore store = new ParameterStore(manager, false);

    public EagerGraphs(ModelConfig config, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        this.config = config;
        textEncoder = new TextEncoder(config.text());
        stage1 = new Stage1Generator(config);
        stage2 = new Stage2Generator(config);
        textEncoder.initialize(manager);
        stage1.initialize(manager);
        stage2.initialize(manager);
    }

    /** The serialized ONNX graphs of exactly these weights, keyed by graph name. */
    public Map<String, byte[]> export() {
        return export(false);
    }

    /** As {@link #export()}, with batch norm folded into the layers before it when {@code foldBatchNorm}. */
    public Map<String, byte[]> export(boolean foldBatchNorm) {
        return new GraphExporter(config, BundleExporter.PRODUCER_VERSION, foldBatchNorm)
                .export(textEncoder, stage1, stage2);
    }

    public NDManager manager() {
        return manager;
    }

    /** One graph's computation; {@code in} holds its inputs by ONNX input name. Returns the image or stage-2 c. */
    public NDArray run(String graph, Map<String, NDArray> in) {
        return switch (graph) {
            case ModelGraphs.TEXT_ENCODER -> textEncoder(in)[1];
            case ModelGraphs.STAGE1 -> stage1(in.get(ModelGraphs.CONDITION), in.get(ModelGraphs.NOISE));
            case ModelGraphs.STAGE2 -> stage2(in.get(ModelGraphs.STAGE1_IMAGE), in.get(ModelGraphs.CONDITION));
            default -> throw new IllegalArgumentException("unknown graph " + graph);
        };
    }

    /** The whole chain: text encoder, Stage-I, Stage-II; {@code in} holds the text encoder's inputs and z. */
    public NDArray chain(Map<String, NDArray> in) {
        NDArray[] conditions = textEncoder(in);
        return stage2(stage1(conditions[0], in.get(ModelGraphs.NOISE)), conditions[1]);
    }

    /** Stage-I c and Stage-II c, as the text encoder graph computes them. */
    private NDArray[] textEncoder(Map<String, NDArray> in) {
        NDArray sentence = textEncoder.forward(store, new NDList(in.get(ModelGraphs.TOKEN_IDS)), false)
                .singletonOrThrow();
        NDList ca1 = stage1.conditioning().forward(store, new NDList(sentence), false);
        NDList ca2 = stage2.conditioning().forward(store, new NDList(sentence), false);
        return new NDArray[] {
            ConditioningAugmentation.sample(ca1.get(0), ca1.get(1), in.get(ModelGraphs.STAGE1_CA_NOISE)),
            ConditioningAugmentation.sample(ca2.get(0), ca2.get(1), in.get(ModelGraphs.STAGE2_CA_NOISE))};
    }

    private NDArray stage1(NDArray c, NDArray z) {
        return stage1.forward(store, new NDList(c, z), false).singletonOrThrow();
    }

    private NDArray stage2(NDArray image, NDArray c) {
        return stage2.forward(store, new NDList(image, c), false).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
