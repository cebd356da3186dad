package dev.stackgan.bundle.graph;

import java.util.Arrays;
import java.util.List;

/**
 * Name, element type and shape of one graph input or output. A dimension of {@value #DYNAMIC} is the batch.
 *
 * @param name  the ONNX value name
 * @param dtype {@code float32} or {@code int64}
 * @param shape dimensions, {@value #DYNAMIC} for the dynamic batch
 */
public record TensorSpec(String name, String dtype, List<Long> shape) {

    public static final long DYNAMIC = -1;
    public static final String FLOAT32 = "float32";
    public static final String INT64 = "int64";

    public TensorSpec {
        shape = List.copyOf(shape);
    }

    public static TensorSpec float32(String name, long... shape) {
        return new TensorSpec(name, FLOAT32, Arrays.stream(shape).boxed().toList());
    }

    public static TensorSpec int64(String name, long... shape) {
        return new TensorSpec(name, INT64, Arrays.stream(shape).boxed().toList());
    }

    public long[] shapeArray() {
        return shape.stream().mapToLong(Long::longValue).toArray();
    }

    /** The shape with the batch dimension set to {@code batch}. */
    public long[] shapeForBatch(long batch) {
        return shape.stream().mapToLong(d -> d == DYNAMIC ? batch : d).toArray();
    }
}
