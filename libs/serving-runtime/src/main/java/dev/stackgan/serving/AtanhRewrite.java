package dev.stackgan.serving;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;

/**
 * Rewrites every Atanh node of a graph as {@code 0.5 * log((1 + x) / (1 - x))} before a session is made of it: the
 * formula the trainer computes (DJL's PyTorch engine has no atanh), in ONNX Runtime's vectorized Add, Sub, Div, Log
 * and Mul. ONNX Runtime's Atanh kernel calls the C library's atanhf once per element on one thread: on the residual
 * Stage-II's 256 px output it took about a third of the graph's time (docs/benchmarks.md, section 7). Graphs
 * without Atanh are left as they are, so bundles exported before and after, residual or not, are served alike.
 */
public final class AtanhRewrite {

    private AtanhRewrite() {
    }

    /** The graph with its Atanh nodes rewritten; {@code onnx} itself when it has none. */
    public static byte[] apply(byte[] onnx) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            return onnx; // not ours to judge: ONNX Runtime refuses it with its own message
        }
        ModelProto rewritten = apply(model);
        return rewritten == model ? onnx : rewritten.toByteArray();
    }

    /** As {@link #apply(byte[])}: {@code model} itself when it has no Atanh node. */
    public static ModelProto apply(ModelProto model) {
        GraphProto graph = model.getGraph();
        if (graph.getNodeList().stream().noneMatch(AtanhRewrite::isAtanh)) {
            return model;
        }
        GraphProto.Builder rewritten = graph.toBuilder().clearNode();
        for (NodeProto node : graph.getNodeList()) {
            if (isAtanh(node)) {
                rewrite(rewritten, node.getInput(0), node.getOutput(0));
            } else {
                rewritten.addNode(node);
            }
        }
        return model.toBuilder().setGraph(rewritten).build();
    }

    private static boolean isAtanh(NodeProto node) {
        return node.getOpType().equals("Atanh") && node.getDomain().isEmpty();
    }

    /** Adds {@code y = 0.5 * log((1 + x) / (1 - x))} to {@code graph}, its constants as initializers. */
    private static void rewrite(GraphProto.Builder graph, String x, String y) {
        String prefix = y + "/atanh_as_log/";
        String one = prefix + "one";
        String half = prefix + "half";
        graph.addInitializer(scalar(one, 1f)).addInitializer(scalar(half, 0.5f));
        graph.addNode(node(prefix + "one_plus_x", "Add", one, x));
        graph.addNode(node(prefix + "one_minus_x", "Sub", one, x));
        graph.addNode(node(prefix + "ratio", "Div", prefix + "one_plus_x", prefix + "one_minus_x"));
        graph.addNode(node(prefix + "log", "Log", prefix + "ratio"));
        graph.addNode(node(y, "Mul", prefix + "log", half));
    }

    private static TensorProto scalar(String name, float value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addFloatData(value).build();
    }

    /** A node whose one output is named {@code output}, the node after it. */
    private static NodeProto node(String output, String op, String... inputs) {
        return NodeProto.newBuilder().setName(output).setOpType(op).addAllInput(List.of(inputs)).addOutput(output)
                .build();
    }
}
