package dev.stackgan.serving.oip;

import com.google.protobuf.ByteString;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.proto.inference.InferTensorContents;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferRequest.InferInputTensor;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataResponse.TensorMetadata;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.Tensors;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open Inference Protocol tensors against a bundle graph's signature: the datatype of a {@link TensorSpec}, the
 * graph inputs of a {@link ModelInferRequest} (every way a request can be wrong is INVALID_ARGUMENT naming the input
 * and the limit), and the outputs of a response.
 */
final class InferTensors {

    static final String FP32 = "FP32";
    static final String INT64 = "INT64";

    private InferTensors() {
    }

    /** The protocol's datatype of a graph tensor: the bundle graphs take float32 and int64 (token ids) only. */
    static String datatype(TensorSpec spec) {
        return TensorSpec.INT64.equals(spec.dtype()) ? INT64 : FP32;
    }

    static TensorMetadata metadata(TensorSpec spec) {
        return TensorMetadata.newBuilder().setName(spec.name()).setDatatype(datatype(spec))
                .addAllShape(spec.shape()).build();
    }

    /**
     * The graph inputs {@code request} carries for {@code model}: each input of the signature exactly once, with its
     * datatype and shape and one batch of 1 to {@code maxBatch} rows shared by all, its values either all in
     * {@code raw_input_contents} or all in typed contents, floats finite and token ids within the vocabulary.
     */
    static Map<String, InputRows> inputs(ModelInferRequest request, LoadedModel model, int maxBatch) {
        GraphSignature signature = model.signature();
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw Errors.invalidArgument("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs; it needs one per input, in their order");
        }
        Map<String, InputRows> inputs = new LinkedHashMap<>();
        String firstInput = null;
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor tensor = request.getInputs(i);
            String name = tensor.getName();
            Errors.requireLength("inputs[" + i + "].name", name, OpenInference.MAX_NAME);
            Errors.requireLength("inputs[" + i + "].datatype", tensor.getDatatype(), OpenInference.MAX_NAME);
            String input = "input '" + name + "'";
            TensorSpec spec = signature.inputs().stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> Errors.invalidArgument(input + " is not an input of " + signature.name()
                            + "; it takes " + describe(signature.inputs())));
            if (inputs.containsKey(name)) {
                throw Errors.invalidArgument(input + " is given twice");
            }
            String datatype = datatype(spec);
            if (!datatype.equals(tensor.getDatatype())) {
                throw Errors.invalidArgument(input + " has datatype '" + tensor.getDatatype()
                        + "'; " + signature.name() + " takes it as " + datatype);
            }
            long[] rowShape = Tensors.rowShape(spec.shapeArray());
            long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (shape.length != rowShape.length + 1
                    || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), rowShape)) {
                throw Errors.invalidArgument(input + " has shape " + Errors.excerpt(Arrays.toString(shape)) + "; "
                        + signature.name() + " takes " + spec.shape() + " (-1: the batch, 1 to " + maxBatch + ")");
            }
            if (shape[0] < 1 || shape[0] > maxBatch) {
                throw Errors.invalidArgument(input + " has a batch (shape[0]) of " + shape[0] + "; it must be 1 to "
                        + maxBatch);
            }
            if (firstInput != null && shape[0] != inputs.get(firstInput).rows()) {
                throw Errors.invalidArgument(input + " has a batch of " + shape[0] + " but input '" + firstInput
                        + "' has " + inputs.get(firstInput).rows() + "; every input needs the same batch");
            }
            int elements = Math.toIntExact(shape[0] * InputRows.rowSize(rowShape));
            InputRows rows = raw
                    ? fromRaw(input, i, tensor, request.getRawInputContents(i), elements, rowShape, shape)
                    : fromContents(input, tensor, elements, rowShape, shape);
            requireValues(input, spec, rows, model);
            inputs.put(name, rows);
            firstInput = firstInput == null ? name : firstInput;
        }
        for (TensorSpec spec : signature.inputs()) {
            if (!inputs.containsKey(spec.name())) {
                throw Errors.invalidArgument("input '" + spec.name() + "' is missing; " + signature.name()
                        + " takes " + describe(signature.inputs()));
            }
        }
        return inputs;
    }

    private static InputRows fromRaw(String input, int index, InferInputTensor tensor, ByteString bytes, int elements,
                                     long[] rowShape, long[] shape) {
        if (tensor.hasContents()) {
            throw Errors.invalidArgument(input + " has contents while raw_input_contents is set; send the values of "
                    + "every input one way");
        }
        int width = INT64.equals(tensor.getDatatype()) ? Long.BYTES : Float.BYTES;
        if (bytes.size() != (long) elements * width) {
            throw Errors.invalidArgument(input + " has " + bytes.size() + " bytes in raw_input_contents[" + index
                    + "]; shape " + Arrays.toString(shape) + " of " + tensor.getDatatype() + " needs "
                    + (long) elements * width + " (" + width + " bytes per element, little-endian)");
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (width == Long.BYTES) {
            long[] values = new long[elements];
            buffer.asLongBuffer().get(values);
            return new InputRows.Longs(values, rowShape);
        }
        float[] values = new float[elements];
        buffer.asFloatBuffer().get(values);
        return new InputRows.Floats(values, rowShape);
    }

    private static InputRows fromContents(String input, InferInputTensor tensor, int elements, long[] rowShape,
                                          long[] shape) {
        InferTensorContents contents = tensor.getContents();
        boolean int64 = INT64.equals(tensor.getDatatype());
        String field = int64 ? "contents.int64_contents" : "contents.fp32_contents";
        int count = int64 ? contents.getInt64ContentsCount() : contents.getFp32ContentsCount();
        if (count != valueCount(contents)) {
            throw Errors.invalidArgument(input + " carries values outside " + field + ", the field of "
                    + tensor.getDatatype());
        }
        if (count != elements) {
            throw Errors.invalidArgument(input + " has " + count + " values in " + field + "; shape "
                    + Arrays.toString(shape) + " needs " + elements);
        }
        if (int64) {
            return new InputRows.Longs(contents.getInt64ContentsList().stream().mapToLong(Long::longValue).toArray(),
                    rowShape);
        }
        float[] values = new float[elements];
        for (int i = 0; i < elements; i++) {
            values[i] = contents.getFp32Contents(i);
        }
        return new InputRows.Floats(values, rowShape);
    }

    private static int valueCount(InferTensorContents contents) {
        return contents.getBoolContentsCount() + contents.getIntContentsCount() + contents.getInt64ContentsCount()
                + contents.getUintContentsCount() + contents.getUint64ContentsCount()
                + contents.getFp32ContentsCount() + contents.getFp64ContentsCount()
                + contents.getBytesContentsCount();
    }

    /**
     * Floats must be finite, as in the stackgan.v1 services; token ids must name a word of the vocabulary, or the
     * graph's lookup would fail the whole merged batch, other clients' requests included.
     */
    private static void requireValues(String input, TensorSpec spec, InputRows rows, LoadedModel model) {
        if (rows instanceof InputRows.Floats floats) {
            float[] values = floats.values();
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw Errors.invalidArgument(input + " holds " + values[i] + " at element " + i
                            + "; values must be finite");
                }
            }
        } else if (spec.name().equals(ModelGraphs.TOKEN_IDS)) {
            long[] values = ((InputRows.Longs) rows).values();
            int vocabulary = model.config().text().vocabularySize();
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 0 || values[i] >= vocabulary) {
                    throw Errors.invalidArgument(input + " holds " + values[i] + " at element " + i
                            + "; token ids must be 0 to " + (vocabulary - 1) + " (the vocabulary's size is "
                            + vocabulary + ")");
                }
            }
        }
    }

    /** The outputs the request names, in its order, or every output of the graph when it names none. */
    static List<TensorSpec> requestedOutputs(ModelInferRequest request, GraphSignature signature) {
        if (request.getOutputsCount() == 0) {
            return signature.outputs();
        }
        List<TensorSpec> outputs = new ArrayList<>();
        for (int i = 0; i < request.getOutputsCount(); i++) {
            ModelInferRequest.InferRequestedOutputTensor output = request.getOutputs(i);
            Errors.requireLength("outputs[" + i + "].name", output.getName(), OpenInference.MAX_NAME);
            TensorSpec spec = signature.outputs().stream().filter(s -> s.name().equals(output.getName()))
                    .findFirst().orElseThrow(() -> unknownOutput(output.getName(), signature));
            if (outputs.contains(spec)) {
                throw Errors.invalidArgument("output '" + spec.name() + "' is requested twice");
            }
            outputs.add(spec);
        }
        return outputs;
    }

    private static StatusRuntimeException unknownOutput(String name, GraphSignature signature) {
        return Errors.invalidArgument("output '" + name + "' is not an output of " + signature.name()
                + "; it has " + describe(signature.outputs()));
    }

    /**
     * Adds {@code outputs} of {@code rows} rows to {@code response}: in {@code raw_output_contents} when
     * {@code raw} (the request sent raw inputs), else in {@code contents.fp32_contents}.
     */
    static void addOutputs(ModelInferResponse.Builder response, List<TensorSpec> outputs, Map<String, float[]> values,
                           int rows, boolean raw) {
        for (TensorSpec spec : outputs) {
            float[] data = values.get(spec.name());
            ModelInferResponse.InferOutputTensor.Builder tensor = response.addOutputsBuilder()
                    .setName(spec.name()).setDatatype(datatype(spec));
            Arrays.stream(spec.shapeForBatch(rows)).forEach(tensor::addShape);
            if (raw) {
                response.addRawOutputContents(Tensors.littleEndian(data));
            } else {
                InferTensorContents.Builder contents = tensor.getContentsBuilder();
                for (float value : data) {
                    contents.addFp32Contents(value);
                }
            }
        }
    }

    /** e.g. {@code c FP32 [-1, 8], z FP32 [-1, 8]} */
    private static String describe(List<TensorSpec> specs) {
        return String.join(", ", specs.stream().map(s -> s.name() + " " + datatype(s) + " " + s.shape()).toList());
    }
}
