package dev.stackgan.serving;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;

/**
 * The values of one graph input for some batch rows, flattened row-major. float32 or int64 (token ids), the two
 * element types the bundle graphs take.
 */
public sealed interface InputRows {

    long[] rowShape();

    /** The primitive array holding the values. */
    Object array();

    /** The same kind of rows over {@code values} (an array of the same element type). */
    InputRows withArray(Object values);

    default int rows() {
        return Math.toIntExact(Array.getLength(array()) / rowSize(rowShape()));
    }

    record Floats(float[] values, long[] rowShape) implements InputRows {
        public Object array() {
            return values;
        }

        public InputRows withArray(Object values) {
            return new Floats((float[]) values, rowShape);
        }
    }

    record Longs(long[] values, long[] rowShape) implements InputRows {
        public Object array() {
            return values;
        }

        public InputRows withArray(Object values) {
            return new Longs((long[]) values, rowShape);
        }
    }

    static long rowSize(long[] rowShape) {
        return Arrays.stream(rowShape).reduce(1, Math::multiplyExact);
    }

    /** The rows of all {@code parts} (same input, same element type) one after the other. */
    static InputRows concatenate(List<InputRows> parts) {
        InputRows first = parts.get(0);
        int total = parts.stream().mapToInt(p -> Array.getLength(p.array())).sum();
        Object merged = Array.newInstance(first.array().getClass().getComponentType(), total);
        int at = 0;
        for (InputRows part : parts) {
            int length = Array.getLength(part.array());
            System.arraycopy(part.array(), 0, merged, at, length);
            at += length;
        }
        return first.withArray(merged);
    }
}
