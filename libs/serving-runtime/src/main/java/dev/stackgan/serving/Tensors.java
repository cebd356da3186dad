package dev.stackgan.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.stackgan.proto.v1.Condition;
import dev.stackgan.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/** Conversion between the wire {@link Tensor} (little-endian float32 bytes) and float arrays, with validation. */
public final class Tensors {

    private Tensors() {
    }

    /**
     * Reads {@code field} as a tensor of shape [N, rowShape...] with 1 <= N <= maxBatch and returns its values.
     * Every way a client can get it wrong is an INVALID_ARGUMENT naming the field: missing, wrong rank or dims,
     * batch out of range, byte length not 4 x elements, NaN or infinite values.
     */
    public static float[] read(String field, Tensor tensor, long[] rowShape, int maxBatch) {
        String expected = "[N, " + join(rowShape) + "] with 1 <= N <= " + maxBatch;
        if (tensor.getShapeCount() == 0) {
            throw Errors.invalidArgument(field + " is missing or has no shape; expected shape " + expected);
        }
        long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (shape.length != rowShape.length + 1
                || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), rowShape)) {
            throw Errors.invalidArgument(field + ".shape is " + Errors.excerpt(Arrays.toString(shape)) + ", expected "
                    + expected);
        }
        long batch = shape[0];
        if (batch < 1 || batch > maxBatch) {
            throw Errors.invalidArgument(field + ".shape[0] (batch) is " + batch + ", must be 1 to " + maxBatch);
        }
        long elements = batch * Arrays.stream(rowShape).reduce(1, Math::multiplyExact);
        if (tensor.getData().size() != elements * Float.BYTES) {
            throw Errors.invalidArgument(field + ".data has " + tensor.getData().size() + " bytes, shape "
                    + Arrays.toString(shape) + " needs " + elements * Float.BYTES + " (4 bytes per float32)");
        }
        float[] values = new float[(int) elements];
        tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw Errors.invalidArgument(field + ".data holds " + values[i] + " at element " + i
                        + "; values must be finite");
            }
        }
        return values;
    }

    /** Reads {@code field} as rows of the graph input {@code input} of {@code model} (any batch up to maxBatch). */
    public static InputRows.Floats readInput(String field, Tensor tensor, LoadedModel model, String input,
                                             int maxBatch) {
        long[] rowShape = rowShape(model.signature().input(input).shapeArray());
        return new InputRows.Floats(read(field, tensor, rowShape, maxBatch), rowShape);
    }

    /** Inputs of one request must have the same batch: INVALID_ARGUMENT naming both fields otherwise. */
    public static void requireSameBatch(String field, InputRows rows, String otherField, InputRows otherRows) {
        if (rows.rows() != otherRows.rows()) {
            throw Errors.invalidArgument(field + ".shape[0] is " + rows.rows() + " but " + otherField
                    + ".shape[0] is " + otherRows.rows() + "; they must be equal (one row per image)");
        }
    }

    /** A response tensor of {@code rows} rows of the graph output {@code output}. */
    public static Tensor writeOutput(LoadedModel model, String output, int rows, float[] values) {
        return write(model.signature().output(output).shapeForBatch(rows), values);
    }

    public static Tensor write(long[] shape, float[] values) {
        Tensor.Builder tensor = Tensor.newBuilder().setData(littleEndian(values));
        for (long d : shape) {
            tensor.addShape(d);
        }
        return tensor.build();
    }

    /**
     * The c of each condition (a text encoder's answer for one stage) as one [N, C] tensor, read as primitive floats
     * ({@code getCList()} would box each).
     */
    public static Tensor conditions(List<Condition> conditions) {
        int dim = conditions.get(0).getCCount();
        float[] values = new float[conditions.size() * dim];
        for (int i = 0; i < conditions.size(); i++) {
            for (int j = 0; j < dim; j++) {
                values[i * dim + j] = conditions.get(i).getC(j);
            }
        }
        return write(new long[] {conditions.size(), dim}, values);
    }

    /** {@code values} as little-endian float32 bytes, the layout of every tensor on the wire. */
    public static ByteString littleEndian(float[] values) {
        byte[] bytes = new byte[values.length * Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        // a fresh array nobody writes again: protobuf may keep it instead of copying it
        return UnsafeByteOperations.unsafeWrap(bytes);
    }

    /** The values of a tensor as written by {@link #write}, without validation (for clients and tests). */
    public static float[] values(Tensor tensor) {
        FloatBuffer floats = tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[floats.remaining()];
        floats.get(values);
        return values;
    }

    /** The shape of one batch row: the graph tensor's shape without its dynamic batch dimension. */
    public static long[] rowShape(long[] graphShape) {
        return Arrays.copyOfRange(graphShape, 1, graphShape.length);
    }

    private static String join(long[] dims) {
        return String.join(", ", Arrays.stream(dims).mapToObj(Long::toString).toList());
    }
}
