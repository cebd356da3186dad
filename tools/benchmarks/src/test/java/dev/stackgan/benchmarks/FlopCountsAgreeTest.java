package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.networks.config.Preset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two FLOP counts the harness uses (from the exported ONNX graph with ONNX Runtime's shapes, and from the
 * initialized DJL blocks) agree on the generators of the tiny preset.
 */
class FlopCountsAgreeTest {

    @Test
    void graphCountEqualsBlockCountForBothGenerators() throws Exception {
        ModelConfig config = Preset.TINY.model(40);
        try (EagerGraphs nets = new EagerGraphs(config, 3)) {
            Map<String, Long> fromGraphs = InferenceBench.flopsPerImage(config, nets.export());
            // the exported Stage-I graph has no CA head (the text encoder graph holds it); the blocks include it
            long stage1Ca = TrainingBench.forwardFlopsPerImage(nets.stage1.conditioning());
            long stage2Ca = TrainingBench.forwardFlopsPerImage(nets.stage2.conditioning());
            assertEquals(fromGraphs.get(ModelGraphs.STAGE1),
                    TrainingBench.forwardFlopsPerImage(nets.stage1) - stage1Ca);
            assertEquals(fromGraphs.get(ModelGraphs.STAGE2),
                    TrainingBench.forwardFlopsPerImage(nets.stage2) - stage2Ca);
        }
    }
}
