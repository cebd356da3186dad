package dev.stackgan.networks.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.stackgan.bundle.graph.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one ONNX graph (opset 17) from the eval-mode computation of DJL blocks. Weights are copied from the blocks'
 * parameters as initializers; the batch dimension stays symbolic ({@value #BATCH}).
 */
public final class OnnxGraph {

    public static final int OPSET = 17;
    /** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
    public static final int IR_VERSION = 8;
    public static final String BATCH = "batch";
    /** DJL's and PyTorch's BatchNorm epsilon; the networks build their BatchNorm layers with it. */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    public OnnxGraph(String name) {
        graph.setName(name);
    }

    /** Declares a graph input and returns its name. */
    public String input(TensorSpec spec) {
        graph.addInput(valueInfo(spec));
        return spec.name();
    }

    /** Declares {@code value} as the graph output {@code spec.name()}, renaming it with an Identity node if needed. */
    public void output(String value, TensorSpec spec) {
        if (!value.equals(spec.name())) {
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").addInput(value).addOutput(spec.name())
                    .setName(spec.name() + "_identity"));
        }
        graph.addOutput(valueInfo(spec));
    }

    /** A float initializer holding a copy of {@code array}. */
    public String weight(String hint, NDArray array) {
        return floats(hint, array.toFloatArray(), array.getShape().getShape());
    }

    public String floats(String hint, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        String name = unique(hint);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(bytes.array()));
        Arrays.stream(dims).forEach(tensor::addDims);
        graph.addInitializer(tensor);
        return name;
    }

    /** A 1-D int64 initializer, for shapes, axes, repeats and split sizes. */
    public String longs(String hint, long... values) {
        String name = unique(hint);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        Arrays.stream(values).forEach(tensor::addInt64Data);
        graph.addInitializer(tensor);
        return name;
    }

    public String scalar(String hint, float value) {
        return floats(hint, new float[] {value});
    }

    /** Adds a node with one output and returns the output's name. */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        return nodeOutputs(opType, inputs, 1, attributes).get(0);
    }

    public String node(String opType, String input, AttributeProto... attributes) {
        return node(opType, List.of(input), attributes);
    }

    /** Adds a node with {@code outputs} outputs and returns their names. */
    public List<String> nodeOutputs(String opType, List<String> inputs, int outputs, AttributeProto... attributes) {
        String name = unique(opType.toLowerCase());
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs);
        List<String> outputNames = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outputNames.add(name + "_out" + i);
        }
        node.addAllOutput(outputNames);
        Arrays.stream(attributes).forEach(node::addAttribute);
        graph.addNode(node);
        return outputNames;
    }

    /** Appends the eval-mode computation of a DJL built-in layer or an {@link OnnxExportable} block. */
    public String layer(Block block, String input) {
        if (block instanceof OnnxExportable exportable) {
            return exportable.exportOnnx(this, input);
        }
        if (block instanceof Conv2d conv) {
            return conv(conv, input);
        }
        if (block instanceof Linear linear) {
            return linear(linear, input);
        }
        if (block instanceof BatchNorm) {
            return batchNorm(block, input);
        }
        if (block instanceof Dropout) {
            return input; // identity at inference
        }
        throw new IllegalArgumentException("no ONNX export for block " + block.getClass().getName());
    }

    private String conv(Conv2d conv, String input) {
        List<String> inputs = new ArrayList<>(List.of(input, weight("conv_w", param(conv, "weight"))));
        if (conv.getParameters().contains("bias")) {
            inputs.add(weight("conv_b", param(conv, "bias")));
        }
        long[] pad = conv.getPadding().getShape();
        return node("Conv", inputs,
                ints("kernel_shape", conv.getKernelShape().getShape()),
                ints("strides", conv.getStride().getShape()),
                ints("pads", pad[0], pad[1], pad[0], pad[1]),
                ints("dilations", conv.getDilation().getShape()),
                intAttr("group", conv.getGroups()));
    }

    private String linear(Linear linear, String input) {
        List<String> inputs = new ArrayList<>(List.of(input, weight("fc_w", param(linear, "weight"))));
        if (linear.getParameters().contains("bias")) {
            inputs.add(weight("fc_b", param(linear, "bias")));
        }
        return node("Gemm", inputs, intAttr("transB", 1));
    }

    private String batchNorm(Block bn, String input) {
        return node("BatchNormalization", List.of(input,
                        weight("bn_scale", param(bn, "gamma")), weight("bn_bias", param(bn, "beta")),
                        weight("bn_mean", param(bn, "runningMean")), weight("bn_var", param(bn, "runningVar"))),
                floatAttr("epsilon", BATCH_NORM_EPSILON));
    }

    public static NDArray param(Block block, String name) {
        Parameter parameter = block.getParameters().get(name);
        if (parameter == null) {
            throw new IllegalArgumentException(block.getClass().getSimpleName() + " has no parameter " + name);
        }
        return parameter.getArray();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attr = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        Arrays.stream(values).forEach(attr::addInts);
        return attr.build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public ModelProto toModel(String producerVersion) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("stackgan-trainer")
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private String unique(String hint) {
        return hint + "_" + counter++;
    }

    private static ValueInfoProto valueInfo(TensorSpec spec) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : spec.shape()) {
            shape.addDim(dim == TensorSpec.DYNAMIC
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        int elementType = TensorSpec.INT64.equals(spec.dtype())
                ? TensorProto.DataType.INT64.getNumber() : TensorProto.DataType.FLOAT.getNumber();
        return ValueInfoProto.newBuilder().setName(spec.name())
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape)))
                .build();
    }
}
