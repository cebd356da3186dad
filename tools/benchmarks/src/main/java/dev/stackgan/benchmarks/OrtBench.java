package dev.stackgan.benchmarks;

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

/**
 * ONNX Runtime sessions configured like the serving runtime's by default (serving-runtime's OrtRuntime: all
 * optimizations, one intra-op thread per core, no spinning), or with the settings a tuning row compares.
 */
public final class OrtBench {

    public static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** The session settings the serving runtime exposes as configuration. */
    public record Settings(int intraOpThreads, boolean allowSpinning, OrtSession.SessionOptions.OptLevel level) {

        /** The serving defaults with {@code intraOpThreads} threads. */
        public static Settings serving(int intraOpThreads) {
            return new Settings(intraOpThreads, false, OrtSession.SessionOptions.OptLevel.ALL_OPT);
        }

        public Settings withSpinning(boolean spinning) {
            return new Settings(intraOpThreads, spinning, level);
        }

        public Settings withLevel(OrtSession.SessionOptions.OptLevel optLevel) {
            return new Settings(intraOpThreads, allowSpinning, optLevel);
        }

        public Settings withThreads(int threads) {
            return new Settings(threads, allowSpinning, level);
        }
    }

    private OrtBench() {
    }

    public static OrtSession session(byte[] model, int intraOpThreads) throws OrtException {
        return session(model, Settings.serving(intraOpThreads));
    }

    public static OrtSession session(byte[] model, Settings settings) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(settings.level());
            options.setIntraOpNumThreads(settings.intraOpThreads());
            String spin = settings.allowSpinning() ? "1" : "0";
            options.addConfigEntry("session.intra_op.allow_spinning", spin);
            options.addConfigEntry("session.inter_op.allow_spinning", spin);
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
