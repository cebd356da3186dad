package dev.stackgan.networks.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.networks.nn.LinearUpsample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinearUpsampleParityTest {

    /** Unit-scale pixels, so a border divisor that differs between the engines would show as 0.1, not 1e-4. */
    @Test
    void onnxRuntimeMatchesDjlAtTheBordersToo() throws Exception {
        LinearUpsample up = new LinearUpsample(4);
        long[] shape = {2, 3, 8, 8};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomUniform(-1f, 1f, new Shape(shape));
            float[] djl = up.apply(x).toFloatArray();
            OnnxGraph graph = new OnnxGraph("up");
            String input = graph.input(new TensorSpec("x", TensorSpec.FLOAT32, List.of(2L, 3L, 8L, 8L)));
            graph.output(up.exportOnnx(graph, input), new TensorSpec("y", TensorSpec.FLOAT32,
                    List.of(2L, 3L, 32L, 32L)));
            try (OrtRunner ort = new OrtRunner(graph.toModel("test").toByteArray())) {
                float[] onnx = ort.run(Map.of("x", x.toFloatArray()), Map.of("x", shape)).get("y");
                float worst = 0;
                int where = -1;
                for (int i = 0; i < djl.length; i++) {
                    if (Math.abs(djl[i] - onnx[i]) > worst) {
                        worst = Math.abs(djl[i] - onnx[i]);
                        where = i;
                    }
                }
                assertEquals(0f, worst, 1e-6f, "max-abs at row " + (where / 32 % 32) + ", column " + where % 32);
            }
        }
    }
}
