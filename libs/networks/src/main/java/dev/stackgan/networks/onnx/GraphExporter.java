package dev.stackgan.networks.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns trained networks into the three serving graphs of {@link ModelGraphs}: the text encoder with both stages'
 * Conditioning Augmentation heads, the Stage-I generator, and the Stage-II generator. Eval-mode semantics: batch
 * norm uses running statistics, dropout is the identity.
 */
public final class GraphExporter {

    private final ModelConfig config;
    private final String producerVersion;
    private final boolean foldBatchNorm;

    public GraphExporter(ModelConfig config, String producerVersion) {
        this(config, producerVersion, false);
    }

    /**
     * @param foldBatchNorm fold each BatchNormalization into the Conv or Gemm before it ({@link BatchNormFolding})
     */
    public GraphExporter(ModelConfig config, String producerVersion, boolean foldBatchNorm) {
        this.config = config;
        this.producerVersion = producerVersion;
        this.foldBatchNorm = foldBatchNorm;
    }

    /** The serialized ONNX models keyed by graph name. */
    public Map<String, byte[]> export(TextEncoder textEncoder, Stage1Generator stage1, Stage2Generator stage2) {
        Map<String, byte[]> graphs = new LinkedHashMap<>();
        graphs.put(ModelGraphs.TEXT_ENCODER, textEncoder(textEncoder, stage1, stage2));
        graphs.put(ModelGraphs.STAGE1, stage1(stage1));
        graphs.put(ModelGraphs.STAGE2, stage2(stage2));
        return graphs;
    }

    public byte[] textEncoder(TextEncoder encoder, Stage1Generator stage1, Stage2Generator stage2) {
        GraphSignature signature = ModelGraphs.textEncoder(config);
        OnnxGraph graph = new OnnxGraph(signature.name());
        String tokens = graph.input(signature.input(ModelGraphs.TOKEN_IDS));
        String noise1 = graph.input(signature.input(ModelGraphs.STAGE1_CA_NOISE));
        String noise2 = graph.input(signature.input(ModelGraphs.STAGE2_CA_NOISE));
        String sentence = encoder.exportOnnx(graph, tokens);
        List<String> ca1 = stage1.conditioning().exportOnnx(graph, sentence, noise1);
        List<String> ca2 = stage2.conditioning().exportOnnx(graph, sentence, noise2);
        graph.output(sentence, signature.output(ModelGraphs.SENTENCE_EMBEDDING));
        graph.output(ca1.get(0), signature.output(ModelGraphs.STAGE1_MU));
        graph.output(ca1.get(1), signature.output(ModelGraphs.STAGE1_LOGVAR));
        graph.output(ca1.get(2), signature.output(ModelGraphs.STAGE1_C));
        graph.output(ca2.get(0), signature.output(ModelGraphs.STAGE2_MU));
        graph.output(ca2.get(1), signature.output(ModelGraphs.STAGE2_LOGVAR));
        graph.output(ca2.get(2), signature.output(ModelGraphs.STAGE2_C));
        return serialize(graph);
    }

    public byte[] stage1(Stage1Generator generator) {
        GraphSignature signature = ModelGraphs.stage1(config);
        OnnxGraph graph = new OnnxGraph(signature.name());
        String c = graph.input(signature.input(ModelGraphs.CONDITION));
        String z = graph.input(signature.input(ModelGraphs.NOISE));
        graph.output(generator.exportOnnx(graph, c, z), signature.output(ModelGraphs.IMAGE));
        return serialize(graph);
    }

    public byte[] stage2(Stage2Generator generator) {
        GraphSignature signature = ModelGraphs.stage2(config);
        OnnxGraph graph = new OnnxGraph(signature.name());
        String image = graph.input(signature.input(ModelGraphs.STAGE1_IMAGE));
        String c = graph.input(signature.input(ModelGraphs.CONDITION));
        graph.output(generator.exportOnnx(graph, image, c), signature.output(ModelGraphs.IMAGE));
        return serialize(graph);
    }

    private byte[] serialize(OnnxGraph graph) {
        ModelProto model = graph.toModel(producerVersion);
        return (foldBatchNorm ? BatchNormFolding.fold(model) : model).toByteArray();
    }
}
