package dev.stackgan.benchmarks;

import static dev.stackgan.networks.onnx.OnnxGraph.intAttr;
import static dev.stackgan.networks.onnx.OnnxGraph.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlopCounterTest {

    @Test
    void countsConvGemmMatMulAndLstmFromWeightsAndOutputShapes() {
        OnnxGraph graph = new OnnxGraph("g");
        String x = graph.input(TensorSpec.float32("x", TensorSpec.DYNAMIC, 2, 8, 8));
        // grouped 3x3 conv, 4 out channels, 2 groups: each output element costs 1 * 3 * 3 multiply-adds
        String conv = graph.node("Conv", List.of(x, graph.floats("w", new float[4 * 9], 4, 1, 3, 3)),
                ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), intAttr("group", 2));
        String gemm = graph.node("Gemm", List.of("flat", graph.floats("fc", new float[5 * 3], 5, 3)),
                intAttr("transB", 1));
        String matmul = graph.node("MatMul", List.of("m", graph.floats("b", new float[3 * 7], 3, 7)));
        String lstm = graph.nodeOutputs("LSTM", List.of("seq", graph.floats("W", new float[2 * 8 * 3], 2, 8, 3),
                graph.floats("R", new float[2 * 8 * 2], 2, 8, 2)), 3).get(0);
        ModelProto model = graph.toModel("test");

        Map<String, Long> flops = FlopCounter.byOperator(model, Map.of(
                conv, new long[] {1, 4, 8, 8},
                gemm, new long[] {2, 5},
                matmul, new long[] {4, 7},
                lstm, new long[] {6, 2, 1, 2}));

        assertEquals(2L * 4 * 8 * 8 * (1 * 3 * 3), flops.get("Conv"));
        assertEquals(2L * 2 * 5 * 3, flops.get("Gemm"));
        assertEquals(2L * 4 * 7 * 3, flops.get("MatMul"));
        // T = 6 steps, 2 directions, hidden 2: 4H x (E + H) multiply-adds per step and direction
        assertEquals(2L * 6 * 2 * 8 * (3 + 2), flops.get("LSTM"));
        assertEquals(flops.values().stream().mapToLong(Long::longValue).sum(), FlopCounter.total(flops));
    }

    @Test
    void gemmWithoutTransposedWeightTakesKFromItsFirstDimension() {
        OnnxGraph graph = new OnnxGraph("g");
        String gemm = graph.node("Gemm", List.of("a", graph.floats("b", new float[3 * 5], 3, 5)));
        assertEquals(2L * 2 * 5 * 3, FlopCounter.total(FlopCounter.byOperator(graph.toModel("t"),
                Map.of(gemm, new long[] {2, 5}))));
    }

    @Test
    void missingShapeOrNonConstantWeightIsNamed() {
        OnnxGraph graph = new OnnxGraph("g");
        String conv = graph.node("Conv", List.of("x", "activation_as_weight"));
        ModelProto model = graph.toModel("t");
        IllegalArgumentException noShape = assertThrows(IllegalArgumentException.class,
                () -> FlopCounter.byOperator(model, Map.of()));
        assertTrue(noShape.getMessage().contains(conv), noShape.getMessage());
        IllegalArgumentException notConstant = assertThrows(IllegalArgumentException.class,
                () -> FlopCounter.byOperator(model, Map.of(conv, new long[] {1, 1, 1, 1})));
        assertTrue(notConstant.getMessage().contains("activation_as_weight"), notConstant.getMessage());
    }
}
