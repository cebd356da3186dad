package dev.stackgan.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.datasets.Batch;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.evaluation.Evaluator;
import dev.stackgan.evaluation.MatchingEncoders;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.Discriminator;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.Network;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.train.ConditionalGenerator;
import dev.stackgan.networks.train.GanBatch;
import dev.stackgan.networks.train.GanStageTrainer;
import dev.stackgan.networks.train.ParameterOptimizer;
import dev.stackgan.networks.train.StepLosses;
import dev.stackgan.networks.train.WeightAverage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** A Stage-I or Stage-II run: the GAN stage behind a frozen text encoder (and, for Stage-II, a frozen Stage-I). */
final class GanTrainee implements Trainee {

    /** Sample sheet: this many captions (rows) times this many noise draws (columns). */
    static final int SHEET = 4;
    /** Batches that re-estimate the average's batch-norm statistics: PyTorch's momentum 0.1 leaves 0.9^40 = 1.5 %. */
    static final int STANDING_BATCHES = 40;

    private final NDManager manager = NDManager.newBaseManager();
    private final RunKind kind;
    private final ModelConfig config;
    private final Vocabulary vocabulary;
    private final TrainingConfig training;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final Stage1Generator stage1;
    private final Stage2Generator stage2;
    private final Discriminator discriminator;
    private final ConditionalGenerator generator;
    /** The moving average of the trained generator (null when the config keeps none). */
    private final Network averaged;
    /** What draws the sample sheets and the evaluation's images: the average when there is one. */
    private final ConditionalGenerator sampler;
    private final GanStageTrainer trainer;
    private final List<String> sampleCaptions;
    private final long sampleSeed;
    private final Evaluator evaluator;
    private final CubDataset dataset;

    /**
     * @param parent         the text-encoder checkpoint (Stage-I) or the Stage-I checkpoint (Stage-II, or a Stage-I
     *                       run that continues its generator), whose encoders are loaded and frozen
     * @param sampleCaptions fixed captions for the sample sheet
     * @param dataset        the run's images at this stage's size: captions and real references of the evaluation
     * @param attributes     the true attributes by image id on synthetic birds (caption fidelity, IS, FID)
     */
    GanTrainee(RunKind kind, ModelConfig config, Vocabulary vocabulary, TrainingConfig training, Checkpoint parent,
               List<String> sampleCaptions, CubDataset dataset, Optional<Map<Integer, BirdAttributes>> attributes,
               Evaluator.Settings evaluation) throws IOException {
        this.kind = kind;
        this.config = config;
        this.vocabulary = vocabulary;
        this.training = training;
        this.sampleCaptions = List.copyOf(sampleCaptions);
        this.sampleSeed = evaluation.seed();
        this.dataset = dataset;
        textEncoder = new TextEncoder(config.text());
        imageEncoder = new ImageEncoder(config);
        stage1 = new Stage1Generator(config);
        textEncoder.initialize(manager);
        imageEncoder.initialize(manager);
        stage1.initialize(manager);
        parent.loadNetwork(Checkpoint.TEXT_ENCODER, textEncoder, manager);
        parent.loadNetwork(Checkpoint.IMAGE_ENCODER, imageEncoder, manager);
        boolean averaging = training.generatorEma() > 0f;
        if (kind == RunKind.STAGE1) {
            stage2 = null;
            discriminator = Discriminator.stage1(config);
            if (RunKind.parse(parent.state().kind()) == RunKind.STAGE1) {
                // continued training: the parent's generator (its average when kept) meets a new discriminator
                parent.loadNetwork(parent.imageNetwork(Checkpoint.STAGE1_GENERATOR), stage1, manager);
            }
            generator = ConditionalGenerator.stage1(stage1);
            Stage1Generator average = averaging ? new Stage1Generator(config) : null;
            averaged = average;
            sampler = averaging ? ConditionalGenerator.stage1(average) : generator;
        } else {
            // Stage-II refines what serving will feed it: the Stage-I average when that run kept one
            parent.loadNetwork(parent.imageNetwork(Checkpoint.STAGE1_GENERATOR), stage1, manager);
            stage1.freezeParameters(true);
            stage2 = new Stage2Generator(config);
            stage2.initialize(manager);
            discriminator = Discriminator.stage2(config);
            generator = ConditionalGenerator.stage2(stage1, stage2);
            Stage2Generator average = averaging ? new Stage2Generator(config) : null;
            averaged = average;
            sampler = averaging ? ConditionalGenerator.stage2(stage1, average) : generator;
        }
        discriminator.initialize(manager);
        WeightAverage average = null;
        if (averaged != null) {
            averaged.initialize(manager);
            average = new WeightAverage(generator.trainable(), averaged, training.generatorEma());
        }
        trainer = new GanStageTrainer(manager, textEncoder, imageEncoder, generator, discriminator, training,
                average);
        evaluator = new Evaluator(dataset, attributes,
                new MatchingEncoders(manager, textEncoder, imageEncoder, vocabulary, config, imageSize()), evaluation);
    }

    private int imageSize() {
        return kind == RunKind.STAGE1 ? config.stage1().imageSize() : config.stage2().imageSize();
    }

    @Override
    public StepLosses step(Batch batch, long noiseSeed) {
        try (NDManager step = manager.newSubManager()) {
            int n = batch.size();
            int size = imageSize();
            Random random = new Random(noiseSeed);
            Shape images = new Shape(n, 3, size, size);
            GanBatch gan = new GanBatch(
                    step.create(vocabulary.tokenIds(batch.captions(), config.text().maxWords()),
                            new Shape(n, config.text().maxWords())),
                    step.create(batch.images()[0], images), step.create(batch.wrongImages()[0], images),
                    noise(step, random, n, config.conditionDim()), noise(step, random, n, config.conditionDim()),
                    noise(step, random, n, config.noiseDim()), step.create(Batches.classIds(batch)));
            return trainer.step(gan);
        }
    }

    private static NDArray noise(NDManager manager, Random random, int n, int dim) {
        return manager.create(Batches.gaussian(random, n * dim), new Shape(n, dim));
    }

    /** Eval-mode images for {@code captions[i]} with noise draw {@code draws[i]} of the fixed sample noise. */
    private float[] generate(List<String> captions, int[] draws) {
        return draw(captions, draws, false);
    }

    /**
     * Re-estimates the average's batch-norm statistics from its own activations on training captions (BigGAN's
     * "standing statistics"): averaged running statistics belong to no network, and drawing with them gave a flat
     * grey sample sheet. Runs before each sample sheet, which StageRun draws before the evaluation and the checkpoint
     * that stores the fresh statistics.
     */
    private void refreshAverageStatistics() {
        if (averaged == null || !config.variants().generatorBatchNorm()) {
            return;
        }
        Random random = new Random(Batches.mix(sampleSeed, -2));
        int n = training.batchSize();
        for (int b = 0; b < STANDING_BATCHES; b++) {
            List<String> captions = new java.util.ArrayList<>();
            int[] draws = new int[n];
            for (int i = 0; i < n; i++) {
                captions.add(dataset.captions(random.nextInt(dataset.size())).get(0));
                draws[i] = SHEET + b * n + i; // noise draws the sample sheet does not use
            }
            draw(captions, draws, true);
        }
    }

    /** {@code training}: batch norm normalises with the batch and updates the running statistics. */
    private float[] draw(List<String> captions, int[] draws, boolean training) {
        try (NDManager scope = manager.newSubManager()) {
            int n = captions.size();
            int c = config.conditionDim();
            int z = config.noiseDim();
            float[] ca1 = new float[n * c];
            float[] ca2 = new float[n * c];
            float[] noise = new float[n * z];
            for (int i = 0; i < n; i++) {
                Random random = new Random(Batches.mix(sampleSeed, draws[i]));
                System.arraycopy(Batches.gaussian(random, c), 0, ca1, i * c, c);
                System.arraycopy(Batches.gaussian(random, c), 0, ca2, i * c, c);
                System.arraycopy(Batches.gaussian(random, z), 0, noise, i * z, z);
            }
            GanBatch batch = new GanBatch(scope.create(vocabulary.tokenIds(captions, config.text().maxWords()),
                    new Shape(n, config.text().maxWords())), null, null, scope.create(ca1, new Shape(n, c)),
                    scope.create(ca2, new Shape(n, c)), scope.create(noise, new Shape(n, z)), null);
            ParameterStore store = new ParameterStore(scope, false);
            NDArray sentence = textEncoder.forward(store, new NDList(batch.tokenIds()), false).singletonOrThrow();
            return sampler.generate(store, sentence, batch, training).image().toFloatArray();
        }
    }

    @Override
    public byte[] samples() {
        List<String> captions = new java.util.ArrayList<>();
        int[] draws = new int[SHEET * SHEET];
        for (int row = 0; row < SHEET; row++) {
            for (int column = 0; column < SHEET; column++) {
                captions.add(sampleCaptions.get(row % sampleCaptions.size()));
                draws[row * SHEET + column] = column;
            }
        }
        refreshAverageStatistics();
        return ImageGrid.png(generate(captions, draws), SHEET * SHEET, imageSize(), SHEET);
    }

    /**
     * Scores the networks as they are: a checkpoint's average carries the statistics its sample sheet re-estimated
     * (StageRun draws the sheet first), and an evaluation of held-out captions must not re-estimate them on those.
     */
    @Override
    public Map<String, Double> evaluate() {
        return evaluator.evaluate(this::generate);
    }

    @Override
    public Map<String, Block> networks() {
        Map<String, Block> networks = new LinkedHashMap<>();
        networks.put(Checkpoint.TEXT_ENCODER, textEncoder);
        networks.put(Checkpoint.IMAGE_ENCODER, imageEncoder);
        networks.put(Checkpoint.STAGE1_GENERATOR, stage1);
        String trained = kind == RunKind.STAGE1 ? Checkpoint.STAGE1_GENERATOR : Checkpoint.STAGE2_GENERATOR;
        if (kind == RunKind.STAGE1) {
            networks.put(Checkpoint.STAGE1_DISCRIMINATOR, discriminator);
        } else {
            networks.put(Checkpoint.STAGE2_GENERATOR, stage2);
            networks.put(Checkpoint.STAGE2_DISCRIMINATOR, discriminator);
        }
        if (averaged != null) {
            networks.put(trained + Checkpoint.AVERAGE_SUFFIX, averaged);
        }
        return networks;
    }

    @Override
    public Map<String, ParameterOptimizer> optimizers() {
        String g = kind == RunKind.STAGE1 ? Checkpoint.STAGE1_GENERATOR : Checkpoint.STAGE2_GENERATOR;
        String d = kind == RunKind.STAGE1 ? Checkpoint.STAGE1_DISCRIMINATOR : Checkpoint.STAGE2_DISCRIMINATOR;
        return Map.of(g, trainer.generatorOptimizer(), d, trainer.discriminatorOptimizer());
    }

    @Override
    public void scaleLearningRates(float factor) {
        trainer.generatorOptimizer().setLearningRate(training.effectiveGeneratorLr() * factor);
        trainer.discriminatorOptimizer().setLearningRate(training.effectiveDiscriminatorLr() * factor);
    }

    @Override
    public void close() {
        evaluator.close();
        manager.close();
    }
}
