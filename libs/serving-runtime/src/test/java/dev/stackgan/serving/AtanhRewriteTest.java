package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stackgan.bundle.graph.ModelGraphs;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link AtanhRewrite} on the shipped bundle and on a small graph, run in real ONNX Runtime sessions. */
class AtanhRewriteTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void theShippedStage2LosesItsAtanhAndDrawsTheSamePictures() throws Exception {
        byte[] exported;
        try (DefaultBundle shipped = DefaultBundle.shipped()) {
            exported = Files.readAllBytes(shipped.directory().resolve(ModelGraphs.STAGE2 + ".onnx"));
        }
        byte[] rewritten = AtanhRewrite.apply(exported);
        assertTrue(ops(exported).contains("Atanh"), "the shipped Stage-II is residual");
        assertFalse(ops(rewritten).contains("Atanh"));
        assertTrue(ops(rewritten).contains("Div"));
        try (OrtSession before = ENV.createSession(exported); OrtSession after = ENV.createSession(rewritten)) {
            for (int batch : new int[] {1, 3}) {
                Map<String, OnnxTensor> feeds = randomFeeds(before, batch, new Random(batch));
                try (OrtSession.Result a = before.run(feeds); OrtSession.Result b = after.run(feeds)) {
                    float[] expected = ((OnnxTensor) a.get(0)).getFloatBuffer().array();
                    float[] actual = ((OnnxTensor) b.get(0)).getFloatBuffer().array();
                    assertEquals(batch * 3 * 256 * 256, actual.length);
                    assertTrue(maxDifference(expected, actual) < 1e-6, "batch " + batch + ": largest difference "
                            + maxDifference(expected, actual));
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    @Test
    void eachAtanhBecomesTheLogFormulaAndKeepsItsValues() throws Exception {
        ModelProto model = graph(List.of(node("Atanh", List.of("u"), "h"), node("Add", List.of("h", "c"), "s"),
                node("Atanh", List.of("c"), "y")), "s", "y");
        ModelProto rewritten = AtanhRewrite.apply(model);
        assertFalse(rewritten.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Atanh")));
        float[] u = {-0.999f, -0.5f, 0f, 0.3f, 0.9f, 0.999f};
        float[] c = {0.75f, -0.1f, 0.25f, 0f, -0.999f, 0.9999f};
        try (OrtSession session = ENV.createSession(rewritten.toByteArray());
             OnnxTensor uTensor = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(u), new long[] {u.length});
             OnnxTensor cTensor = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(c), new long[] {c.length});
             OrtSession.Result result = session.run(Map.of("u", uTensor, "c", cTensor))) {
            float[] s = ((OnnxTensor) result.get("s").orElseThrow()).getFloatBuffer().array();
            float[] y = ((OnnxTensor) result.get("y").orElseThrow()).getFloatBuffer().array();
            for (int i = 0; i < u.length; i++) {
                // in double, from the float inputs: atanh(u) is ill-conditioned near 1, the float u is what is given
                assertEquals(atanh(u[i]) + c[i], s[i], 1e-6 * Math.max(1, Math.abs(s[i])), "u " + u[i]);
                assertEquals(atanh(c[i]), y[i], 1e-6 * Math.max(1, Math.abs(y[i])), "c " + c[i]);
            }
        }
    }

    @Test
    void aGraphWithoutThePatternKeepsItsBytes() throws Exception {
        byte[] exported;
        try (DefaultBundle shipped = DefaultBundle.shipped()) {
            exported = Files.readAllBytes(shipped.directory().resolve(ModelGraphs.STAGE1 + ".onnx"));
        }
        assertSame(exported, AtanhRewrite.apply(exported));
    }

    @Test
    void bytesThatAreNotOnnxAreLeftForOnnxRuntimeToRefuse() {
        byte[] notOnnx = "not an ONNX graph".getBytes(StandardCharsets.US_ASCII);
        assertSame(notOnnx, AtanhRewrite.apply(notOnnx));
        OrtException refused = assertThrows(OrtException.class, () -> ENV.createSession(notOnnx).close());
        assertTrue(refused.getMessage().toLowerCase(Locale.ROOT).contains("protobuf"), refused.getMessage());
    }

    private static List<String> ops(byte[] onnx) throws Exception {
        return ModelProto.parseFrom(onnx).getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    /** Values in (-1, 1), many near the edges as a Stage-I picture's are: the clip before atanh matters. */
    private static Map<String, OnnxTensor> randomFeeds(OrtSession session, int batch, Random random)
            throws Exception {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
            long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape().clone();
            shape[0] = batch;
            int size = 1;
            for (long dimension : shape) {
                size *= (int) dimension;
            }
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
                values[i] = (float) Math.tanh(2 * random.nextGaussian());
            }
            feeds.put(input.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(values), shape));
        }
        return feeds;
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setName(output).setOpType(op).addAllInput(inputs).addOutput(output).build();
    }

    private static double atanh(float x) {
        return 0.5 * Math.log((1 + (double) x) / (1 - (double) x));
    }

    /** A graph of float vectors u and c (any length) and the nodes, with {@code outputs}. */
    private static ModelProto graph(List<NodeProto> nodes, String... outputs) {
        GraphProto.Builder graph = GraphProto.newBuilder().setName("atanh").addAllNode(nodes);
        for (String input : List.of("u", "c")) {
            graph.addInput(vector(input));
        }
        for (String output : outputs) {
            graph.addOutput(vector(output));
        }
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(graph).build();
    }

    private static ValueInfoProto vector(String name) {
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                .setShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder()
                        .setDimParam("n"))).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor))
                .build();
    }
}
