package dev.stackgan.networks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.Discriminator;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.train.ConditionalGenerator;
import dev.stackgan.networks.train.GanBatch;
import dev.stackgan.networks.train.GanStageTrainer;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tiny preset's networks, initialized from a seed, with random batches: shared by the trainer tests. */
public final class TinyModels implements AutoCloseable {

    public static final int VOCABULARY = 40;
    /** The failure message of a training test that met a skipped update or a NaN loss. */
    public static final String NAN_SEEN = "libtorch returned a non-finite gradient or loss for finite inputs: does"
            + " this JVM run on jemalloc or zero-filled glibc? (NativeAllocator; docs/trainer.md, NaN gradients)";
    /**
     * A learning-rate multiplier that makes every tiny run diverge within a few steps, whatever the rounding: Adam
     * moves each weight by about the rate, and weights near 1e30 overflow float32 once squared (batch norm's variance,
     * D's logits). x1e9 was not enough: batch norm rescales such weights and the losses can stay finite.
     */
    public static final float DIVERGING_LR_MULTIPLIER = 1e30f;

    public final NDManager manager = NDManager.newBaseManager();
    public final ModelConfig config;
    public final TrainingConfig training;
    public final TextEncoder textEncoder;
    public final ImageEncoder imageEncoder;
    public final Stage1Generator stage1;
    public final Discriminator stage1Discriminator;
    public final Stage2Generator stage2;
    public final Discriminator stage2Discriminator;

    public TinyModels(long seed) {
        this(seed, Preset.TINY.model(VOCABULARY), Preset.TINY.training());
    }

    public TinyModels(long seed, ModelConfig config, TrainingConfig training) {
        Engine.getInstance().setRandomSeed((int) seed);
        this.config = config;
        this.training = training;
        textEncoder = new TextEncoder(config.text());
        imageEncoder = new ImageEncoder(config);
        stage1 = new Stage1Generator(config);
        stage1Discriminator = Discriminator.stage1(config);
        stage2 = new Stage2Generator(config);
        stage2Discriminator = Discriminator.stage2(config);
        textEncoder.initialize(manager);
        imageEncoder.initialize(manager);
        stage1.initialize(manager);
        stage1Discriminator.initialize(manager);
        stage2.initialize(manager);
        stage2Discriminator.initialize(manager);
    }

    public GanStageTrainer stage1Trainer() {
        return new GanStageTrainer(manager, textEncoder, imageEncoder, ConditionalGenerator.stage1(stage1),
                stage1Discriminator, training);
    }

    public GanStageTrainer stage2Trainer() {
        stage1.freezeParameters(true);
        return new GanStageTrainer(manager, textEncoder, imageEncoder, ConditionalGenerator.stage2(stage1, stage2),
                stage2Discriminator, training);
    }

    /** Random captions (some padded), images in [-1, 1] at {@code imageSize}, and Gaussian noise. */
    public GanBatch batch(int imageSize) {
        int n = training.batchSize();
        return new GanBatch(tokens(n), images(n, imageSize), images(n, imageSize),
                manager.randomNormal(new Shape(n, config.conditionDim())),
                manager.randomNormal(new Shape(n, config.conditionDim())),
                manager.randomNormal(new Shape(n, config.noiseDim())), manager.arange(0L, (long) n));
    }

    public NDArray tokens(int n) {
        int words = config.text().maxWords();
        long[] ids = new long[n * words];
        java.util.Random random = new java.util.Random(n);
        for (int i = 0; i < n; i++) {
            int length = 3 + random.nextInt(words - 3);
            for (int t = 0; t < length; t++) {
                ids[i * words + t] = 1 + random.nextInt(VOCABULARY - 1);
            }
        }
        return manager.create(ids, new Shape(n, words));
    }

    public NDArray images(int n, int size) {
        return manager.randomUniform(-1f, 1f, new Shape(n, 3, size, size), DataType.FLOAT32);
    }

    /** A copy of every parameter's values, to compare before and after training. */
    public static Map<String, float[]> snapshot(Block network) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : network.getParameters()) {
            values.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return values;
    }

    /** How many parameters (arrays) differ between two snapshots. */
    public static int changed(Map<String, float[]> before, Map<String, float[]> after) {
        int count = 0;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), after.get(e.getKey()))) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close() {
        manager.close();
    }
}
