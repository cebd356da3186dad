package dev.stackgan.trainer.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.HashMap;
import java.util.Map;

/** ONNX Runtime sessions configured like the serving runtime's (all optimizations, one intra-op thread per core). */
public final class OrtBench {

    public static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private OrtBench() {
    }

    public static OrtSession session(byte[] model, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            return ENV.createSession(model, options);
        }
    }

    /** Runs {@code session} once and discards the outputs. */
    public static void run(OrtSession session, Map<String, OnnxTensor> feeds) throws OrtException {
        try (OrtSession.Result ignored = session.run(feeds)) {
            // only the time matters
        }
    }

    /**
     * The shape of the first output of every node that {@link FlopCounter} counts, as ONNX Runtime computes it for
     * {@code feeds}: the model is re-exported with those values as extra graph outputs and run once.
     */
    public static Map<String, long[]> outputShapes(ModelProto model, Map<String, OnnxTensor> feeds)
            throws OrtException {
        ModelProto.Builder probe = model.toBuilder();
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (FlopCounter.COUNTED.contains(node.getOpType())) {
                probe.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName(node.getOutput(0))
                        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT.getNumber()))));
            }
        }
        Map<String, long[]> shapes = new HashMap<>();
        try (OrtSession session = session(probe.build().toByteArray(), 1);
             OrtSession.Result result = session.run(feeds)) {
            for (Map.Entry<String, OnnxValue> e : result) {
                shapes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
            }
        }
        return shapes;
    }
}
