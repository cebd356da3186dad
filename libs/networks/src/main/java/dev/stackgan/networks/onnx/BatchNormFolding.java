package dev.stackgan.networks.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds eval-mode BatchNormalization into the Conv or Gemm (transB = 1) that feeds it: with s = gamma / sqrt(var +
 * eps), the producer's weight rows become W[c] * s[c] and its bias (b[c] - mean[c]) * s[c] + beta[c], and the
 * BatchNormalization node goes away. Only a producer whose output feeds that BatchNormalization alone, with its
 * weight and bias as initializers used by no other node, is folded; everything else is left as it is. The arithmetic
 * is done in double and rounded once to float.
 */
public final class BatchNormFolding {

    private BatchNormFolding() {
    }

    public static ModelProto fold(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Integer> producerOf = new HashMap<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            node.getInputList().forEach(in -> uses.merge(in, 1, Integer::sum));
            for (String out : node.getOutputList()) {
                producerOf.put(out, i);
            }
        }
        for (ValueInfoProto output : graph.getOutputList()) {
            uses.merge(output.getName(), 1, Integer::sum);
        }

        List<NodeProto> nodes = new ArrayList<>(graph.getNodeList());
        Set<Integer> removed = new HashSet<>();
        Set<String> droppedInitializers = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto bn = nodes.get(i);
            if (!bn.getOpType().equals("BatchNormalization") || bn.getOutputCount() != 1) {
                continue;
            }
            Integer p = producerOf.get(bn.getInput(0));
            if (p == null || uses.getOrDefault(bn.getInput(0), 0) != 1) {
                continue;
            }
            NodeProto producer = nodes.get(p);
            if (!foldable(producer, initializers, uses) || !bn.getInputList().subList(1, 5).stream()
                    .allMatch(initializers::containsKey)) {
                continue;
            }
            float epsilon = 1e-5f;
            for (AttributeProto a : bn.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    epsilon = a.getF();
                }
            }
            float[] gamma = values(initializers.get(bn.getInput(1)));
            float[] beta = values(initializers.get(bn.getInput(2)));
            float[] mean = values(initializers.get(bn.getInput(3)));
            float[] var = values(initializers.get(bn.getInput(4)));
            TensorProto weightTensor = initializers.get(producer.getInput(1));
            float[] weight = values(weightTensor);
            int channels = gamma.length;
            if (weightTensor.getDims(0) != channels) {
                continue;
            }
            float[] bias = producer.getInputCount() > 2 ? values(initializers.get(producer.getInput(2)))
                    : new float[channels];
            int perChannel = weight.length / channels;
            float[] foldedBias = new float[channels];
            for (int c = 0; c < channels; c++) {
                double scale = gamma[c] / Math.sqrt((double) var[c] + epsilon);
                for (int k = 0; k < perChannel; k++) {
                    weight[c * perChannel + k] = (float) (weight[c * perChannel + k] * scale);
                }
                foldedBias[c] = (float) ((bias[c] - (double) mean[c]) * scale + beta[c]);
            }
            String biasName = producer.getInputCount() > 2 ? producer.getInput(2) : producer.getInput(1) + "_bnbias";
            initializers.put(weightTensor.getName(), tensor(weightTensor.getName(), weight,
                    weightTensor.getDimsList()));
            initializers.put(biasName, tensor(biasName, foldedBias, List.of((long) channels)));
            NodeProto.Builder folded = producer.toBuilder().setOutput(0, bn.getOutput(0));
            if (producer.getInputCount() > 2) {
                folded.setInput(2, biasName);
            } else {
                folded.addInput(biasName);
            }
            nodes.set(p, folded.build());
            removed.add(i);
            for (int k = 1; k < 5; k++) {
                if (uses.merge(bn.getInput(k), -1, Integer::sum) == 0) {
                    droppedInitializers.add(bn.getInput(k));
                }
            }
        }
        if (removed.isEmpty()) {
            return model;
        }
        GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed.contains(i)) {
                out.addNode(nodes.get(i));
            }
        }
        initializers.values().stream().filter(t -> !droppedInitializers.contains(t.getName()))
                .forEach(out::addInitializer);
        return model.toBuilder().setGraph(out).build();
    }

    /** Conv or Gemm with transB = 1 (and default alpha, beta, transA) whose weight and bias no other node uses. */
    private static boolean foldable(NodeProto node, Map<String, TensorProto> initializers, Map<String, Integer> uses) {
        boolean conv = node.getOpType().equals("Conv");
        boolean gemm = node.getOpType().equals("Gemm");
        if (!conv && !gemm || node.getOutputCount() != 1) {
            return false;
        }
        for (String parameter : node.getInputList().subList(1, node.getInputCount())) {
            if (!initializers.containsKey(parameter) || uses.getOrDefault(parameter, 0) != 1) {
                return false;
            }
        }
        if (gemm) {
            boolean transB = false;
            for (AttributeProto a : node.getAttributeList()) {
                switch (a.getName()) {
                    case "transB" -> transB = a.getI() == 1;
                    case "transA" -> {
                        if (a.getI() != 0) {
                            return false;
                        }
                    }
                    case "alpha", "beta" -> {
                        if (a.getF() != 1f) {
                            return false;
                        }
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return transB;
        }
        return true;
    }

    private static float[] values(TensorProto tensor) {
        if (tensor.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException("initializer " + tensor.getName() + " is not float32");
        }
        if (!tensor.getRawData().isEmpty()) {
            FloatBuffer floats = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            float[] values = new float[floats.remaining()];
            floats.get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatData(i);
        }
        return values;
    }

    private static TensorProto tensor(String name, float[] values, List<Long> dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addAllDims(dims).setRawData(ByteString.copyFrom(bytes.array())).build();
    }
}
