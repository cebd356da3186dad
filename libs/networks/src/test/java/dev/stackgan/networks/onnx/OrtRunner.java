package dev.stackgan.networks.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs an exported graph in ONNX Runtime with float32 / int64 inputs; test helper. */
final class OrtRunner implements AutoCloseable {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(2);
            session = ENV.createSession(model, options);
        }
    }

    /** Inputs as float[] or long[] with their shapes; returns every output as a flat float array. */
    Map<String, float[]> run(Map<String, Object> arrays, Map<String, long[]> shapes) throws OrtException {
        Map<String, OnnxTensor> tensors = new HashMap<>();
        try {
            for (Map.Entry<String, Object> e : arrays.entrySet()) {
                long[] shape = shapes.get(e.getKey());
                tensors.put(e.getKey(), e.getValue() instanceof long[] ids
                        ? OnnxTensor.createTensor(ENV, LongBuffer.wrap(ids), shape)
                        : OnnxTensor.createTensor(ENV, FloatBuffer.wrap((float[]) e.getValue()), shape));
            }
            Map<String, float[]> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(tensors)) {
                result.forEach(entry -> {
                    FloatBuffer buffer = ((OnnxTensor) entry.getValue()).getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    outputs.put(entry.getKey(), values);
                });
            }
            return outputs;
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
