package dev.stackgan.benchmarks;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.datasets.BatchIterator;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.Split;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.config.TrainingConfig.Augmentation;
import dev.stackgan.networks.model.Discriminator;
import dev.stackgan.networks.onnx.OnnxGraph;
import dev.stackgan.networks.train.ConditionalGenerator;
import dev.stackgan.networks.train.GanBatch;
import dev.stackgan.networks.train.GanStageTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

/**
 * Section 5: GAN training steps (D step and G step, as StageRun runs them) on random batches, in images per second,
 * with an efficiency estimate: training FLOPs per image ~ 3 x (G forward + 3 D forwards), since D sees the real, the
 * mismatched and the generated image and a backward pass costs about two forwards; Stage-II adds the frozen Stage-I
 * forward once. Forward FLOPs come from the initialized DJL blocks (Conv2d and Linear with their recorded input
 * shapes), so the discriminators, which are never exported, are counted too.
 */
public final class TrainingBench {

    /** One stage of one preset: images/s over the timed steps and the estimated achieved FLOP/s. */
    public record Result(String preset, String stage, int batch, LatencyStats step, long trainingFlopsPerImage) {

        public double imagesPerSecond() {
            return batch / (step.p50() / 1e3);
        }

        public double flops() {
            return trainingFlopsPerImage * imagesPerSecond();
        }
    }

    /** The data loader on cached epochs (crop, flip, scale, batch; as StageRun feeds a stage), in images/s. */
    public record LoaderRate(String stage, int imageSize, int batch, double imagesPerSecond) {
    }

    private final Stopwatch stopwatch;

    public TrainingBench(Stopwatch stopwatch) {
        this.stopwatch = stopwatch;
    }

    /**
     * Cached-epoch images/s of the loader at {@code imageSize} in batches of {@code batch}, over the synthetic
     * birds' training split (decoded once before timing, as the loader does on the first epoch).
     */
    public LoaderRate loader(String stage, Path data, int imageSize, int batch) throws Exception {
        CubDataset dataset = CubDataset.load(data.resolve(CubLayout.ROOT), null, Split.STACKGAN_CLASS, true,
                imageSize);
        Random rng = new Random(1);
        int[] images = new int[1];
        LatencyStats epoch = stopwatch.time("loader " + imageSize + " px b" + batch, () -> {
            BatchIterator batches = dataset.epoch(batch, rng, true);
            int n = 0;
            while (batches.hasNext()) {
                n += batches.next().size();
            }
            images[0] = n;
        });
        return new LoaderRate(stage, imageSize, batch, images[0] / (epoch.p50() / 1e3));
    }

    public List<Result> run(String preset, ModelConfig config, TrainingConfig training, int batch) throws Exception {
        List<Result> results = new ArrayList<>();
        try (EagerGraphs nets = new EagerGraphs(config, 1)) {
            long s1 = forwardFlopsPerImage(nets.stage1);
            Stage stage1 = stage(nets, config, training, true);
            results.add(time(preset, "stage1", batch, stage1.trainer(), nets.manager(), config,
                    config.stage1().imageSize(), 3 * (s1 + 3 * forwardFlopsPerImage(stage1.discriminator()))));
            Stage stage2 = stage(nets, config, training, false);
            results.add(time(preset, "stage2", batch, stage2.trainer(), nets.manager(), config,
                    config.stage2().imageSize(), stage2TrainingFlops(nets, stage2)));
        }
        return results;
    }

    /**
     * Stage-II with every DiffAugment transform on the discriminator's inputs, as the demo's Stage-II recipes train:
     * at 256 px each step augments four batches (real, mismatched, generated for D and for G).
     */
    public Result augmentedStage2(String preset, ModelConfig config, TrainingConfig training, int batch)
            throws Exception {
        try (EagerGraphs nets = new EagerGraphs(config, 1)) {
            Stage stage2 = stage(nets, config, training.withAugmentations(EnumSet.allOf(Augmentation.class)), false);
            return time(preset + " + DiffAugment", "stage2", batch, stage2.trainer(), nets.manager(), config,
                    config.stage2().imageSize(), stage2TrainingFlops(nets, stage2));
        }
    }

    /** The frozen Stage-I forward plus 3 x (Stage-II forward + 3 D forwards); augmentation is not counted. */
    private static long stage2TrainingFlops(EagerGraphs nets, Stage stage2) {
        return forwardFlopsPerImage(nets.stage1) + 3 * (forwardFlopsPerImage(nets.stage2)
                + 3 * forwardFlopsPerImage(stage2.discriminator()));
    }

    private record Stage(GanStageTrainer trainer, Discriminator discriminator) {
    }

    /** A stage's trainer on the eager networks with a fresh discriminator; Stage-II freezes Stage-I. */
    private static Stage stage(EagerGraphs nets, ModelConfig config, TrainingConfig training, boolean first) {
        NDManager manager = nets.manager();
        Discriminator discriminator = first ? Discriminator.stage1(config) : Discriminator.stage2(config);
        discriminator.initialize(manager);
        if (!first) {
            nets.stage1.freezeParameters(true);
        }
        ConditionalGenerator generator = first ? ConditionalGenerator.stage1(nets.stage1)
                : ConditionalGenerator.stage2(nets.stage1, nets.stage2);
        return new Stage(new GanStageTrainer(manager, nets.textEncoder, null, generator, discriminator, training),
                discriminator);
    }

    /**
     * Nanoseconds of {@code steps} GAN steps of one stage at the config's batch size, after {@code warmUp} untimed
     * ones, on fresh weights: what {@link AllocatorBench}'s child processes time.
     */
    static long[] stepNanos(ModelConfig config, TrainingConfig training, String stage, int warmUp, int steps) {
        int batch = training.batchSize();
        try (EagerGraphs nets = new EagerGraphs(config, 1)) {
            boolean first = stage.equals("stage1");
            GanStageTrainer trainer = stage(nets, config, training, first).trainer();
            NDManager manager = nets.manager();
            int size = first ? config.stage1().imageSize() : config.stage2().imageSize();
            long[] nanos = new long[steps];
            for (int i = -warmUp; i < steps; i++) {
                long start = System.nanoTime();
                try (NDManager scope = manager.newSubManager()) {
                    trainer.step(batch(scope, config, batch, size));
                }
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            return nanos;
        }
    }

    /** Each step builds its batch in its own sub-manager, as GanTrainee does, so its intermediates are freed. */
    private Result time(String preset, String stage, int batch, GanStageTrainer trainer, NDManager parent,
                        ModelConfig config, int imageSize, long flops) throws Exception {
        LatencyStats step = stopwatch.time(preset + " " + stage + " train b" + batch, () -> {
            try (NDManager scope = parent.newSubManager()) {
                trainer.step(batch(scope, config, batch, imageSize));
            }
        });
        return new Result(preset, stage, batch, step, flops);
    }

    private static GanBatch batch(NDManager manager, ModelConfig config, int n, int imageSize) {
        Random random = new Random(n);
        int words = config.text().maxWords();
        long[] ids = random.longs((long) n * words, 1, config.text().vocabularySize()).toArray();
        Shape images = new Shape(n, 3, imageSize, imageSize);
        return new GanBatch(manager.create(ids, new Shape(n, words)),
                manager.randomUniform(-1f, 1f, images, DataType.FLOAT32),
                manager.randomUniform(-1f, 1f, images, DataType.FLOAT32),
                manager.randomNormal(new Shape(n, config.conditionDim())),
                manager.randomNormal(new Shape(n, config.conditionDim())),
                manager.randomNormal(new Shape(n, config.noiseDim())), manager.arange(0L, (long) n));
    }

    /** Conv2d and Linear FLOPs of one image through an initialized block, from each layer's recorded input shape. */
    static long forwardFlopsPerImage(Block block) {
        if (block instanceof Conv2d conv) {
            Shape in = conv.getInputShapes()[0];
            Shape out = conv.getOutputShapes(new Shape[] {in})[0];
            Shape w = OnnxGraph.param(conv, "weight").getShape();
            return 2 * out.size() / out.get(0) * w.get(1) * w.get(2) * w.get(3);
        }
        if (block instanceof Linear linear) {
            Shape in = linear.getInputShapes()[0];
            Shape w = OnnxGraph.param(linear, "weight").getShape();
            return 2 * in.size() / in.get(0) / in.get(in.dimension() - 1) * w.get(0) * w.get(1);
        }
        return block.getChildren().values().stream().mapToLong(TrainingBench::forwardFlopsPerImage).sum();
    }
}
