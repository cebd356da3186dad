package dev.stackgan.benchmarks;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the multiply-add work of an ONNX graph (a multiply-add is 2 FLOPs): Conv = 2*Cout*Cin/groups*kh*kw*Hout*Wout
 * per image, Gemm / MatMul = 2*M*N*K, LSTM = 2*4H*(E+H)*T per direction and sequence. Elementwise operators
 * (BatchNormalization, activations, Resize, Add ...) are left out: they are memory-bound and well under 1 % of the
 * work here. Weights must be initializers; activation shapes come from outside (ONNX Runtime reports them, see
 * {@link OrtBench#outputShapes}), only the first output of each counted node is needed.
 */
public final class FlopCounter {

    /** The operators whose FLOPs are counted. */
    public static final List<String> COUNTED = List.of("Conv", "Gemm", "MatMul", "LSTM");

    private FlopCounter() {
    }

    /** FLOPs per operator type for one run of {@code model}, given the shape of every counted node's first output. */
    public static Map<String, Long> byOperator(ModelProto model, Map<String, long[]> outputShapes) {
        GraphProto graph = model.getGraph();
        Map<String, List<Long>> weights = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            weights.put(t.getName(), t.getDimsList());
        }
        Map<String, Long> flops = new LinkedHashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (!COUNTED.contains(node.getOpType())) {
                continue;
            }
            long[] out = outputShapes.get(node.getOutput(0));
            if (out == null) {
                throw new IllegalArgumentException("no shape for output " + node.getOutput(0) + " of "
                        + node.getOpType() + " node " + node.getName());
            }
            flops.merge(node.getOpType(), nodeFlops(node, out, weights), Long::sum);
        }
        return flops;
    }

    public static long total(Map<String, Long> byOperator) {
        return byOperator.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long nodeFlops(NodeProto node, long[] out, Map<String, List<Long>> weights) {
        return switch (node.getOpType()) {
            // W is [Cout, Cin/groups, kh, kw]; every output element costs Cin/groups*kh*kw multiply-adds
            case "Conv" -> 2 * elements(out) * product(weight(node, 1, weights).subList(1, 4));
            case "Gemm" -> {
                List<Long> b = weight(node, 1, weights);
                yield 2 * elements(out) * (attribute(node, "transB") == 1 ? b.get(1) : b.get(0));
            }
            case "MatMul" -> {
                List<Long> b = weight(node, 1, weights);
                yield 2 * elements(out) * b.get(b.size() - 2);
            }
            case "LSTM" -> {
                // Y is [T, directions, N, H]; W is [directions, 4H, E], R is [directions, 4H, H]
                List<Long> w = weight(node, 1, weights);
                List<Long> r = weight(node, 2, weights);
                yield 2 * out[0] * out[1] * out[2] * w.get(1) * (w.get(2) + r.get(2));
            }
            default -> throw new IllegalStateException(node.getOpType());
        };
    }

    private static List<Long> weight(NodeProto node, int input, Map<String, List<Long>> weights) {
        List<Long> dims = weights.get(node.getInput(input));
        if (dims == null) {
            throw new IllegalArgumentException(node.getOpType() + " node " + node.getName() + ": input " + input
                    + " (" + node.getInput(input) + ") is not an initializer; only constant weights are counted");
        }
        return dims;
    }

    private static long attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name))
                .mapToLong(AttributeProto::getI).findFirst().orElse(0);
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static long product(List<Long> dims) {
        return dims.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    }
}
