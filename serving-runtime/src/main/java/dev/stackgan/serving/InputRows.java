package dev.stackgan.serving;

import java.util.Arrays;

/**
 * The values of one graph input for some batch rows, flattened row-major. float32 or int64 (token ids), the two
 * element types the bundle graphs take.
 */
public sealed interface InputRows {

    long[] rowShape();

    int rows();

    record Floats(float[] values, long[] rowShape) implements InputRows {
        public int rows() {
            return Math.toIntExact(values.length / rowSize(rowShape));
        }
    }

    record Longs(long[] values, long[] rowShape) implements InputRows {
        public int rows() {
            return Math.toIntExact(values.length / rowSize(rowShape));
        }
    }

    static long rowSize(long[] rowShape) {
        return Arrays.stream(rowShape).reduce(1, Math::multiplyExact);
    }
}
