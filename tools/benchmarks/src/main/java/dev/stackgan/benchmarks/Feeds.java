package dev.stackgan.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.TensorSpec;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random inputs of one graph at one batch size, the same values for both engines: token ids in [1, vocabulary),
 * floats standard normal (noise) or uniform in [-1, 1] (images: four-dimensional inputs).
 */
public final class Feeds {

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public Feeds(GraphSignature signature, int batch, int vocabularySize, long seed) {
        Random random = new Random(seed);
        for (TensorSpec spec : signature.inputs()) {
            long[] shape = spec.shapeForBatch(batch);
            int n = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            if (TensorSpec.INT64.equals(spec.dtype())) {
                values.put(spec.name(), random.longs(n, 1, vocabularySize).toArray());
            } else {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = shape.length == 4 ? 2 * random.nextFloat() - 1 : (float) random.nextGaussian();
                }
                values.put(spec.name(), v);
            }
            shapes.put(spec.name(), shape);
        }
    }

    /** ONNX Runtime tensors by input name; the caller closes them. */
    public Map<String, OnnxTensor> tensors(OrtEnvironment env) throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            tensors.put(e.getKey(), e.getValue() instanceof long[] ids
                    ? OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape)
                    : OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) e.getValue()), shape));
        }
        return tensors;
    }

    /** DJL arrays by input name, attached to {@code manager}. */
    public Map<String, NDArray> arrays(NDManager manager) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        values.forEach((name, v) -> arrays.put(name, v instanceof long[] ids
                ? manager.create(ids, new Shape(shapes.get(name)))
                : manager.create((float[]) v, new Shape(shapes.get(name)))));
        return arrays;
    }
}
