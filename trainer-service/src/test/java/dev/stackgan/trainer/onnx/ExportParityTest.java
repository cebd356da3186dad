package dev.stackgan.trainer.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.trainer.config.Preset;
import dev.stackgan.trainer.model.Stage1Generator;
import dev.stackgan.trainer.model.Stage2Generator;
import dev.stackgan.trainer.model.TextEncoder;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExportParityTest {

    static final float TOLERANCE = 1e-4f;
    static NDManager manager;
    static ModelConfig config;

    @BeforeAll
    static void setUp() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        config = Preset.TINY.model(40);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void freshWeightsMatchAtBatchOneAndFive() throws Exception {
        TextEncoder encoder = new TextEncoder(config.text());
        Stage1Generator stage1 = new Stage1Generator(config);
        Stage2Generator stage2 = new Stage2Generator(config);
        encoder.initialize(manager);
        stage1.initialize(manager);
        stage2.initialize(manager);
        Map<String, byte[]> graphs = new GraphExporter(config, "test").export(encoder, stage1, stage2);
        for (int batch : new int[] {1, 5}) {
            assertParity(graphs, encoder, stage1, stage2, batch);
        }
    }

    static void assertParity(Map<String, byte[]> graphs, TextEncoder encoder, Stage1Generator stage1,
                             Stage2Generator stage2, int batch) throws Exception {
        Random random = new Random(batch);
        int words = config.text().maxWords();
        int c = config.conditionDim();
        long[] ids = new long[batch * words];
        for (int n = 0; n < batch; n++) {
            int length = n == 0 ? words : 1 + random.nextInt(words); // one full caption, the rest padded
            for (int t = 0; t < length; t++) {
                ids[n * words + t] = 1 + random.nextInt(config.text().vocabularySize() - 1);
            }
        }
        float[] noise1 = gaussian(random, batch * c);
        float[] noise2 = gaussian(random, batch * c);
        float[] z = gaussian(random, batch * config.noiseDim());
        ParameterStore store = new ParameterStore(manager, false);
        try (NDManager scope = manager.newSubManager()) {
            NDArray idArray = scope.create(ids, new Shape(batch, words));
            NDArray sentence = encoder.forward(store, new NDList(idArray), false).singletonOrThrow();
            NDList ca1 = stage1.conditioning().forward(store, new NDList(sentence), false);
            NDList ca2 = stage2.conditioning().forward(store, new NDList(sentence), false);
            NDArray c1 = ca1.get(0).add(ca1.get(1).mul(0.5f).exp().mul(scope.create(noise1, new Shape(batch, c))));
            NDArray c2 = ca2.get(0).add(ca2.get(1).mul(0.5f).exp().mul(scope.create(noise2, new Shape(batch, c))));
            NDArray image1 = stage1.forward(store,
                    new NDList(c1, scope.create(z, new Shape(batch, config.noiseDim()))), false).singletonOrThrow();
            NDArray image2 = stage2.forward(store, new NDList(image1, c2), false).singletonOrThrow();

            Map<String, float[]> text;
            try (OrtRunner ort = new OrtRunner(graphs.get(ModelGraphs.TEXT_ENCODER))) {
                text = ort.run(Map.of(ModelGraphs.TOKEN_IDS, ids, ModelGraphs.STAGE1_CA_NOISE, noise1,
                                ModelGraphs.STAGE2_CA_NOISE, noise2),
                        Map.of(ModelGraphs.TOKEN_IDS, new long[] {batch, words},
                                ModelGraphs.STAGE1_CA_NOISE, new long[] {batch, c},
                                ModelGraphs.STAGE2_CA_NOISE, new long[] {batch, c}));
            }
            report("text_encoder sentence", batch, sentence, text.get(ModelGraphs.SENTENCE_EMBEDDING));
            report("text_encoder stage1_mu", batch, ca1.get(0), text.get(ModelGraphs.STAGE1_MU));
            report("text_encoder stage1_logvar", batch, ca1.get(1), text.get(ModelGraphs.STAGE1_LOGVAR));
            report("text_encoder stage1_c", batch, c1, text.get(ModelGraphs.STAGE1_C));
            report("text_encoder stage2_c", batch, c2, text.get(ModelGraphs.STAGE2_C));

            float[] ortImage1;
            try (OrtRunner ort = new OrtRunner(graphs.get(ModelGraphs.STAGE1))) {
                ortImage1 = ort.run(Map.of(ModelGraphs.CONDITION, c1.toFloatArray(), ModelGraphs.NOISE, z),
                        Map.of(ModelGraphs.CONDITION, new long[] {batch, c},
                                ModelGraphs.NOISE, new long[] {batch, config.noiseDim()})).get(ModelGraphs.IMAGE);
            }
            report("stage1 image", batch, image1, ortImage1);

            float[] ortImage2;
            int s1 = config.stage1().imageSize();
            try (OrtRunner ort = new OrtRunner(graphs.get(ModelGraphs.STAGE2))) {
                ortImage2 = ort.run(Map.of(ModelGraphs.STAGE1_IMAGE, image1.toFloatArray(),
                                ModelGraphs.CONDITION, c2.toFloatArray()),
                        Map.of(ModelGraphs.STAGE1_IMAGE, new long[] {batch, 3, s1, s1},
                                ModelGraphs.CONDITION, new long[] {batch, c})).get(ModelGraphs.IMAGE);
            }
            report("stage2 image", batch, image2, ortImage2);
        }
    }

    static void report(String what, int batch, NDArray djl, float[] ort) {
        float[] expected = djl.toFloatArray();
        assertArrayEquals(new long[] {expected.length}, new long[] {ort.length}, what + ": element count");
        float maxAbs = 0f;
        float magnitude = 0f;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i] - ort[i]));
            magnitude = Math.max(magnitude, Math.abs(expected[i]));
        }
        System.out.printf("parity %-28s batch %d: max-abs difference %.3e over %d values (max |value| %.3e)%n",
                what, batch, maxAbs, expected.length, magnitude);
        float measured = maxAbs;
        assertTrue(measured <= TOLERANCE, () -> what + " at batch " + batch + ": max-abs " + measured);
    }

    static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
