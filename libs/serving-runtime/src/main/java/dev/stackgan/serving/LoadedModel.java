package dev.stackgan.serving;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.GraphSignature;
import dev.stackgan.bundle.graph.TensorSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundle version's sessions for one graph ({@link OrtRuntime.Sessions}). Requests hold a lease while they use
 * it; a version the repository has retired is closed when its last lease is released, so pinned requests finish on
 * the version they started with.
 */
public final class LoadedModel {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    private final ModelBundle bundle;
    private final GraphSignature signature;
    private final OrtRuntime runtime;
    private final OrtRuntime.Sessions sessions;
    private final AtomicInteger leases = new AtomicInteger();
    private final AtomicLong runs = new AtomicLong();
    private volatile boolean retired;
    private boolean closed;

    LoadedModel(ModelBundle bundle, String graph, OrtRuntime runtime) throws OrtException, IOException {
        this.bundle = bundle;
        this.signature = bundle.signature(graph);
        this.runtime = runtime;
        this.sessions = runtime.createSessions(bundle.graphFile(graph));
    }

    public String version() {
        return bundle.manifest().bundleId();
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public ModelConfig config() {
        return bundle.manifest().modelConfig();
    }

    public GraphSignature signature() {
        return signature;
    }

    /** Session runs so far (a merged batch is one run). */
    public long runs() {
        return runs.get();
    }

    /** {@link #run(Map, boolean)} of a batch that starts alone. */
    public Map<String, float[]> run(Map<String, InputRows> inputs) throws OrtException {
        return run(inputs, false);
    }

    /** Whether a batch that starts beside another runs on a session of its own ({@link OrtRuntime.Sessions}). */
    public boolean hasOverlapSession() {
        return sessions.overlap() != null;
    }

    /**
     * Runs the graph on {@code rows} rows of every input and returns every output flattened, by name, on the overlap
     * session if {@code overlapped} (another batch of this service is running) and there is one. All outputs of the
     * bundle graphs are float32.
     */
    public Map<String, float[]> run(Map<String, InputRows> inputs, boolean overlapped) throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (TensorSpec spec : signature.inputs()) {
                InputRows rows = inputs.get(spec.name());
                long[] shape = spec.shapeForBatch(rows.rows());
                tensors.put(spec.name(), rows instanceof InputRows.Floats f
                        ? OnnxTensor.createTensor(runtime.environment(), FloatBuffer.wrap(f.values()), shape)
                        : OnnxTensor.createTensor(runtime.environment(),
                                LongBuffer.wrap(((InputRows.Longs) rows).values()), shape));
            }
            runs.incrementAndGet();
            try (OrtSession.Result result = sessions.forRun(overlapped).run(tensors)) {
                Map<String, float[]> outputs = new LinkedHashMap<>();
                for (TensorSpec spec : signature.outputs()) {
                    OnnxTensor output = (OnnxTensor) result.get(spec.name()).orElseThrow();
                    outputs.put(spec.name(), values(output.getFloatBuffer()));
                }
                return outputs;
            }
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The array of a copy ONNX Runtime made: getFloatBuffer() already copies the output into a fresh heap buffer, so
     * a second copy (786 KB for one Stage-II image) is taken only when that buffer is not exactly its array.
     */
    private static float[] values(FloatBuffer copy) {
        if (copy.hasArray() && copy.arrayOffset() == 0 && copy.position() == 0
                && copy.remaining() == copy.array().length) {
            return copy.array();
        }
        float[] values = new float[copy.remaining()];
        copy.get(values);
        return values;
    }

    boolean tryAcquire() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            leases.incrementAndGet();
            return true;
        }
    }

    void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            closeQuietly();
        }
    }

    /** No new requests will get this version; it closes once the requests holding it are done. */
    void retire() {
        retired = true;
        if (leases.get() == 0) {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        synchronized (this) {
            if (closed || leases.get() > 0) {
                return;
            }
            closed = true;
        }
        try {
            sessions.close();
            LOG.info("closed {} sessions of bundle {}", signature.name(), version());
        } catch (OrtException e) {
            LOG.warn("closing {} sessions of bundle {} failed: {}", signature.name(), version(), e.getMessage());
        }
    }
}
