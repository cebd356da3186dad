package dev.stackgan.serving;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's ONNX Runtime: one environment, one provider decision, thread settings for every session. With
 * {@code auto} the first session tries CUDA; if the provider cannot load, one line is logged and every session runs
 * on CPU from then on. {@code cuda} fails instead of falling back, so a misconfigured GPU host is noticed.
 */
public final class OrtRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final ExecutionProvider requested;
    private final int intraOpThreads;
    private final int interOpThreads;
    private volatile ExecutionProvider active;

    /**
     * @param intraOpThreads threads inside one operator (0: ONNX Runtime's default, one per core)
     * @param interOpThreads threads across independent operators (0: default)
     */
    public OrtRuntime(ExecutionProvider requested, int intraOpThreads, int interOpThreads) {
        this.requested = requested;
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
    }

    /** {@code cuda} or {@code cpu} once a session exists; empty while nothing runs yet. */
    public String activeProvider() {
        ExecutionProvider provider = active;
        return provider == null ? "" : provider.id();
    }

    public OrtEnvironment environment() {
        return environment;
    }

    public synchronized OrtSession createSession(Path onnxFile) throws OrtException {
        if (requested != ExecutionProvider.CPU && active != ExecutionProvider.CPU) {
            try (OrtSession.SessionOptions options = options()) {
                options.addCUDA(0);
                OrtSession session = environment.createSession(onnxFile.toString(), options);
                active = ExecutionProvider.CUDA;
                return session;
            } catch (OrtException e) {
                if (requested == ExecutionProvider.CUDA) {
                    throw e;
                }
                LOG.warn("CUDA execution provider unavailable ({}); running on CPU", e.getMessage());
                active = ExecutionProvider.CPU;
            }
        }
        try (OrtSession.SessionOptions options = options()) {
            OrtSession session = environment.createSession(onnxFile.toString(), options);
            active = ExecutionProvider.CPU;
            return session;
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (intraOpThreads > 0) {
            options.setIntraOpNumThreads(intraOpThreads);
        }
        if (interOpThreads > 0) {
            options.setInterOpNumThreads(interOpThreads);
        }
        return options;
    }
}
