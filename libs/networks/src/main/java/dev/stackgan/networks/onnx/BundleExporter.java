package dev.stackgan.networks.onnx;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleManifest.SourceCheckpoint;
import dev.stackgan.bundle.BundleWriter;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import java.nio.file.Path;
import java.util.List;

/** Exports trained (or freshly initialized) networks as a verified model bundle. */
public final class BundleExporter {

    /** Recorded as the ONNX producer version. */
    public static final String PRODUCER_VERSION = "stackgan-trainer-1";

    private BundleExporter() {
    }

    /** Writes {@code bundlesRoot/bundleId} from the three serving networks and returns its directory. */
    public static Path export(Path bundlesRoot, String bundleId, ModelConfig config, Vocabulary vocabulary,
                              TextEncoder textEncoder, Stage1Generator stage1, Stage2Generator stage2,
                              List<SourceCheckpoint> sources) throws BundleException {
        GraphExporter exporter = new GraphExporter(config, PRODUCER_VERSION);
        return new BundleWriter().write(bundlesRoot, bundleId, config, vocabulary, sources,
                exporter.export(textEncoder, stage1, stage2));
    }

    /**
     * A bundle of untrained networks with the reference initialization: what the serving stack and benchmarks run
     * before any model is trained. Deterministic for a seed.
     */
    public static Path exportFresh(Path bundlesRoot, String bundleId, ModelConfig config, Vocabulary vocabulary,
                                   long seed) throws BundleException {
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextEncoder textEncoder = new TextEncoder(config.text());
            Stage1Generator stage1 = new Stage1Generator(config);
            Stage2Generator stage2 = new Stage2Generator(config);
            textEncoder.initialize(manager);
            stage1.initialize(manager);
            stage2.initialize(manager);
            return export(bundlesRoot, bundleId, config, vocabulary, textEncoder, stage1, stage2, List.of());
        }
    }
}
