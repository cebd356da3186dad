package dev.stackgan.serving;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
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
    private final int overlapIntraOpThreads;
    private final int interOpThreads;
    private final boolean allowSpinning;
    private final OrtSession.SessionOptions.OptLevel optimizationLevel;
    private volatile ExecutionProvider active;

    /** All graph optimizations, no spinning: the serving defaults. */
    public OrtRuntime(ExecutionProvider requested, int intraOpThreads, int interOpThreads) {
        this(requested, intraOpThreads, 0, interOpThreads, false, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    /**
     * @param intraOpThreads        threads inside one operator (0: ONNX Runtime's default, one per core)
     * @param overlapIntraOpThreads intra-op threads of each graph's second session, which runs the batches that start
     *                              while another batch runs (0: no second session; see {@link Sessions})
     * @param interOpThreads        threads across independent operators (0: default)
     * @param allowSpinning         whether idle pool threads busy-wait for work (ONNX Runtime's own default is yes).
     *                              Off by default here: several sessions and processes share the cores, and a pool
     *                              spinning after its run steals them from the next session (docs/benchmarks.md,
     *                              Tuning)
     * @param optimizationLevel     graph optimizations applied when a session is created
     */
    public OrtRuntime(ExecutionProvider requested, int intraOpThreads, int overlapIntraOpThreads, int interOpThreads,
                      boolean allowSpinning, OrtSession.SessionOptions.OptLevel optimizationLevel) {
        this.requested = requested;
        this.intraOpThreads = intraOpThreads;
        this.overlapIntraOpThreads = overlapIntraOpThreads;
        this.interOpThreads = interOpThreads;
        this.allowSpinning = allowSpinning;
        this.optimizationLevel = optimizationLevel;
    }

    /** {@code basic}, {@code extended} or {@code all} (and {@code none}) as ONNX Runtime's optimization level. */
    public static OrtSession.SessionOptions.OptLevel parseOptimizationLevel(String level) {
        return switch (level.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException("optimization-level is '" + level
                    + "'; use none, basic, extended or all");
        };
    }

    /** {@code cuda} or {@code cpu} once a session exists; empty while nothing runs yet. */
    public String activeProvider() {
        ExecutionProvider provider = active;
        return provider == null ? "" : provider.id();
    }

    /** {@link ExecutionProvider#CUDA} or {@link ExecutionProvider#CPU} once a session exists; null before. */
    public ExecutionProvider active() {
        return active;
    }

    public OrtEnvironment environment() {
        return environment;
    }

    /**
     * A graph's sessions. {@code overlap} (null when there is none) has {@code overlap-intra-op-threads}: a batch that
     * starts while another batch of the same service runs uses it, so two runs at once do not split every operator
     * over more threads than there are cores; a batch that starts alone uses {@code full} and has the cores to itself
     * (docs/benchmarks.md, section 7).
     */
    public record Sessions(OrtSession full, OrtSession overlap) implements AutoCloseable {

        /** The session for a batch that starts while another runs ({@code overlapped}) or alone. */
        public OrtSession forRun(boolean overlapped) {
            return overlapped && overlap != null ? overlap : full;
        }

        @Override
        public void close() throws OrtException {
            try {
                full.close();
            } finally {
                if (overlap != null) {
                    overlap.close();
                }
            }
        }
    }

    /**
     * The sessions of the graph in {@code onnxFile}, after {@link AtanhRewrite}. No overlap session on CUDA, where
     * the thread count does not matter and a second copy of the weights would take GPU memory, nor when it would
     * have the full session's thread count.
     */
    public synchronized Sessions createSessions(Path onnxFile) throws OrtException, IOException {
        byte[] exported = Files.readAllBytes(onnxFile);
        byte[] graph = AtanhRewrite.apply(exported);
        if (graph != exported) {
            LOG.info("{}: Atanh rewritten as 0.5 * log((1 + x) / (1 - x)), which runs vectorized", onnxFile);
        }
        OrtSession full = createSession(graph, intraOpThreads);
        if (active == ExecutionProvider.CUDA || overlapIntraOpThreads <= 0 || overlapIntraOpThreads == intraOpThreads) {
            return new Sessions(full, null);
        }
        try {
            return new Sessions(full, createSession(graph, overlapIntraOpThreads));
        } catch (OrtException | RuntimeException e) {
            full.close();
            throw e;
        }
    }

    private OrtSession createSession(byte[] graph, int threads) throws OrtException {
        if (requested != ExecutionProvider.CPU && active != ExecutionProvider.CPU) {
            try (OrtSession.SessionOptions options = options(threads)) {
                options.addCUDA(0);
                OrtSession session = environment.createSession(graph, options);
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
        try (OrtSession.SessionOptions options = options(threads)) {
            OrtSession session = environment.createSession(graph, options);
            active = ExecutionProvider.CPU;
            return session;
        }
    }

    private OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(optimizationLevel);
        String spin = allowSpinning ? "1" : "0";
        options.addConfigEntry("session.intra_op.allow_spinning", spin);
        options.addConfigEntry("session.inter_op.allow_spinning", spin);
        if (threads > 0) {
            options.setIntraOpNumThreads(threads);
        }
        if (interOpThreads > 0) {
            options.setInterOpNumThreads(interOpThreads);
        }
        return options;
    }
}
