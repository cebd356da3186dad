package dev.stackgan.trainer.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.datasets.Batch;
import dev.stackgan.datasets.BatchIterator;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.Split;
import dev.stackgan.evaluation.ConditionProbe;
import dev.stackgan.evaluation.Evaluator;
import dev.stackgan.evaluation.MatchingEncoders;
import dev.stackgan.evaluation.SyntheticAttributes;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.train.StepLosses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Trains one run to the end, surviving what sank earlier StackGAN runs: it resumes from its newest checkpoint (a
 * killed process loses at most the steps since), rolls back and halves the learning rates when a loss or a weight
 * turns NaN or infinite, and measures sample diversity at every checkpoint to flag mode collapse.
 *
 * <p>Every random draw is a function of the run seed and the step (data order per epoch, noise and dropout per step),
 * so a resumed run continues exactly the curve the uninterrupted run would have drawn.
 */
public final class StageRun {

    /** What a run reports while it trains; the service stores it and streams it to watchers. */
    public interface Listener {
        default void onStep(StepMetrics metrics) {
        }

        default void onEvent(RunEvent event) {
        }

        /**
         * A checkpoint was written; {@code evaluation} holds the figures of
         * {@link dev.stackgan.evaluation.Evaluator} for GAN stages (empty for the text encoder).
         */
        default void onCheckpoint(Checkpoint checkpoint, Map<String, Double> evaluation) {
        }
    }

    /**
     * @param stepSeconds       wall time of this step alone
     * @param progress          fraction of all steps done, 0..1, or of the time budget (maxMinutes) when larger
     * @param etaSeconds        estimated time to the end, from the steps trained since this process started, at
     *                          most the time budget left
     */
    public record StepMetrics(int epoch, long step, float discriminatorLoss, float generatorLoss, float kl,
                              float generatorLr, float discriminatorLr, double imagesPerSecond,
                              double stepSeconds, double wallSeconds, double progress, double etaSeconds) {
    }

    public enum EventType { RESUMED, DIVERGENCE_ROLLED_BACK, LR_HALVED, COLLAPSE_SUSPECTED, CANCELLED }

    public record RunEvent(EventType type, long step, String message) {
    }

    public enum Outcome { SUCCEEDED, FAILED, CANCELLED }

    public record Result(Outcome outcome, String error, Checkpoint lastCheckpoint) {
    }

    private final RunSpec.Resolved spec;
    private final Path datasetDirectory;
    private final Path checkpoints;
    private final Listener listener;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /**
     * @param datasetDirectory the spec's data set, already resolved against (and checked to lie inside) the data root
     * @param runDirectory     this run's own directory; checkpoints go to its {@code checkpoints/} folder
     */
    public StageRun(RunSpec.Resolved spec, Path datasetDirectory, Path runDirectory, Listener listener) {
        this.spec = spec;
        this.datasetDirectory = datasetDirectory;
        this.checkpoints = runDirectory.resolve("checkpoints");
        this.listener = listener;
    }

    /**
     * Held for every stretch of DJL work that must not interleave with another run in this process: DJL's PyTorch
     * engine allows one open GradientCollector per process, and the engine's random seed is process-wide. Runs on
     * several threads therefore take turns step by step, while their data loading proceeds in parallel.
     */
    private static final ReentrantLock ENGINE = new ReentrantLock();

    /** What runs under {@link #ENGINE}. */
    @FunctionalInterface
    private interface EngineWork<T> {
        T run() throws IOException;
    }

    private static <T> T withEngine(EngineWork<T> work) throws IOException {
        ENGINE.lock();
        try {
            return work.run();
        } finally {
            ENGINE.unlock();
        }
    }

    /** Asks the run to stop after the current step; it writes a checkpoint and ends CANCELLED. */
    public void cancel() {
        cancelled.set(true);
    }

    public Result run() throws IOException {
        // PyTorch keeps grad mode per thread and a new thread starts with it on; DJL turns it off only on the thread
        // that loaded the engine. The optimizers update leaf parameters in place, which grad mode forbids, so a run
        // on any other thread (the service's worker) must turn it off itself.
        Engine.getInstance();
        JniUtils.setGradMode(false);
        Checkpoint.cleanOrphans(checkpoints);
        Optional<Checkpoint> resumeFrom = Checkpoint.latest(checkpoints);
        Checkpoint parent = parentCheckpoint();
        int size = imageSize(parent);
        CubDataset dataset = CubDataset.load(datasetDirectory.resolve(CubLayout.ROOT), captionsDirectory(datasetDirectory),
                spec.split(), true, size);
        int batchSize = spec.training().batchSize();
        if (batchSize > dataset.size()) {
            throw new IllegalArgumentException("overrides.batchSize " + batchSize + " is larger than the data set ("
                    + dataset.size() + " training images)");
        }
        Vocabulary vocabulary = parent == null
                ? Vocabulary.build(dataset.allCaptions(), 1) : parent.vocabulary();
        ModelConfig config = parent == null ? spec.model(vocabulary.size()) : spec.configure(parent.modelConfig());
        try (Trainee trainee = withEngine(() -> createTrainee(config, vocabulary, parent, dataset))) {
            return new Loop(trainee, dataset, config, vocabulary).run(resumeFrom);
        }
    }

    private Checkpoint parentCheckpoint() throws IOException {
        return switch (spec.kind()) {
            case TEXT_ENCODER -> null;
            case STAGE1 -> Checkpoint.read(Path.of(spec.stage1Checkpoint() != null ? spec.stage1Checkpoint()
                    : spec.textEncoderCheckpoint()));
            case STAGE2 -> Checkpoint.read(Path.of(spec.stage1Checkpoint()));
        };
    }

    private int imageSize(Checkpoint parent) throws IOException {
        ModelConfig config = parent == null ? spec.model(2) : parent.modelConfig();
        return switch (spec.kind()) {
            case TEXT_ENCODER -> config.imageEncoder().imageSize();
            case STAGE1 -> config.stage1().imageSize();
            case STAGE2 -> config.stage2().imageSize();
        };
    }

    private static Path captionsDirectory(Path datasetDirectory) {
        Path primary = datasetDirectory.resolve(CubLayout.CAPTIONS_DIR);
        return Files.isDirectory(primary) ? primary : datasetDirectory.resolve(CubLayout.CAPTIONS_DIR_ALTERNATIVE);
    }

    /**
     * Evaluates a Stage-I or Stage-II checkpoint on demand with its own networks, on the training side of
     * {@code split} of a data set (the figures a run stores with each checkpoint) or, with {@code trainSide} false,
     * on its held-out test side, at the stage's image size.
     */
    public static Map<String, Double> evaluate(Path checkpointDirectory, Path datasetDirectory, Split split,
                                               boolean trainSide, Evaluator.Settings settings) throws IOException {
        Engine.getInstance();
        JniUtils.setGradMode(false);
        Checkpoint checkpoint = Checkpoint.read(checkpointDirectory);
        RunKind kind = RunKind.parse(checkpoint.state().kind());
        if (kind == RunKind.TEXT_ENCODER) {
            throw new IllegalArgumentException("checkpoint " + checkpointDirectory + " is a text-encoder checkpoint;"
                    + " only stage1 and stage2 checkpoints draw images to evaluate");
        }
        ModelConfig config = checkpoint.modelConfig();
        int size = kind == RunKind.STAGE1 ? config.stage1().imageSize() : config.stage2().imageSize();
        CubDataset dataset = CubDataset.load(datasetDirectory.resolve(CubLayout.ROOT),
                captionsDirectory(datasetDirectory), split, trainSide, size);
        return withEngine(() -> {
            Engine.getInstance().setRandomSeed((int) settings.seed());
            // the optimizer settings only shape the unused training side; the tiny preset's are as good as any,
            // with a (never updated) weight average when the checkpoint holds one, so that the average is scored
            String trained = kind == RunKind.STAGE1 ? Checkpoint.STAGE1_GENERATOR : Checkpoint.STAGE2_GENERATOR;
            TrainingConfig training = Preset.TINY.training()
                    .withGeneratorEma(checkpoint.imageNetwork(trained).equals(trained) ? 0f : 0.5f);
            try (GanTrainee trainee = new GanTrainee(kind, config, checkpoint.vocabulary(), training,
                    checkpoint, List.of(dataset.captions(0).get(0)), dataset,
                    SyntheticAttributes.read(datasetDirectory.resolve(CubLayout.ROOT)), settings)) {
                for (Map.Entry<String, Block> e : trainee.networks().entrySet()) {
                    checkpoint.loadNetwork(e.getKey(), e.getValue(), managerOf(e.getValue()));
                }
                return trainee.evaluate();
            }
        });
    }

    /**
     * {@link ConditionProbe}'s figures for the text encoder a checkpoint holds (any kind: Stage-I and Stage-II
     * checkpoints carry theirs): up to {@code referenceCaptions} training captions of {@code split} vote for the
     * colours of up to {@code heldOutCaptions} held-out ones, both drawn with {@code seed}.
     */
    public static Map<String, Double> probeConditions(Path checkpointDirectory, Path datasetDirectory, Split split,
                                                      int referenceCaptions, int heldOutCaptions, long seed)
            throws IOException {
        Checkpoint checkpoint = Checkpoint.read(checkpointDirectory);
        ModelConfig config = checkpoint.modelConfig();
        int size = config.stage1().imageSize();
        List<String> reference = drawn(CubDataset.load(datasetDirectory.resolve(CubLayout.ROOT),
                captionsDirectory(datasetDirectory), split, true, size).allCaptions(), referenceCaptions, seed);
        List<String> heldOut = drawn(CubDataset.load(datasetDirectory.resolve(CubLayout.ROOT),
                captionsDirectory(datasetDirectory), split, false, size).allCaptions(), heldOutCaptions, seed + 1);
        return withEngine(() -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                TextEncoder textEncoder = new TextEncoder(config.text());
                ImageEncoder imageEncoder = new ImageEncoder(config);
                textEncoder.initialize(manager);
                imageEncoder.initialize(manager);
                checkpoint.loadNetwork(Checkpoint.TEXT_ENCODER, textEncoder, manager);
                MatchingEncoders encoders = new MatchingEncoders(manager, textEncoder, imageEncoder,
                        checkpoint.vocabulary(), config, size);
                return ConditionProbe.measure(encoded(encoders, reference), encoded(encoders, heldOut));
            }
        });
    }

    private static List<String> drawn(List<String> captions, int count, long seed) {
        List<String> shuffled = new ArrayList<>(captions);
        java.util.Collections.shuffle(shuffled, new Random(seed));
        return shuffled.subList(0, Math.min(count, shuffled.size()));
    }

    /** Sentence vectors of {@code captions}, encoded in batches of a few hundred to bound the native memory. */
    private static ConditionProbe.Encoded encoded(MatchingEncoders encoders, List<String> captions) {
        int d = encoders.dimension();
        float[] vectors = new float[captions.size() * d];
        for (int i = 0; i < captions.size(); i += 256) {
            float[] batch = encoders.sentences(captions.subList(i, Math.min(captions.size(), i + 256)));
            System.arraycopy(batch, 0, vectors, i * d, batch.length);
        }
        return new ConditionProbe.Encoded(captions, vectors, d);
    }

    private Trainee createTrainee(ModelConfig config, Vocabulary vocabulary, Checkpoint parent, CubDataset dataset)
            throws IOException {
        Engine.getInstance().setRandomSeed((int) Batches.mix(spec.seed(), -1));
        if (spec.kind() == RunKind.TEXT_ENCODER) {
            return new TextEncoderTrainee(config, vocabulary, spec.training());
        }
        Random random = new Random(spec.seed());
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < GanTrainee.SHEET; i++) {
            captions.add(dataset.captions(random.nextInt(dataset.size())).get(0));
        }
        return new GanTrainee(spec.kind(), config, vocabulary, spec.training(), parent, captions, dataset,
                SyntheticAttributes.read(datasetDirectory.resolve(CubLayout.ROOT)),
                new Evaluator.Settings(spec.evaluationSamples(), Evaluator.Settings.DEFAULT_FOLDS,
                        Evaluator.Settings.DEFAULT_CLASSIFIER_STEPS, spec.seed()));
    }

    /** The training loop over one trainee. */
    private final class Loop {
        private final Trainee trainee;
        private final CubDataset dataset;
        private final ModelConfig config;
        private final Vocabulary vocabulary;
        private final int batchesPerEpoch;
        private final long totalSteps;
        private Checkpoint last;
        private int halvings;

        Loop(Trainee trainee, CubDataset dataset, ModelConfig config, Vocabulary vocabulary) {
            this.trainee = trainee;
            this.dataset = dataset;
            this.config = config;
            this.vocabulary = vocabulary;
            this.batchesPerEpoch = dataset.size() / spec.training().batchSize();
            this.totalSteps = (long) batchesPerEpoch * spec.epochs();
        }

        Result run(Optional<Checkpoint> resumeFrom) throws IOException {
            Checkpoint.State position;
            if (resumeFrom.isPresent()) {
                position = restore(resumeFrom.get());
                listener.onEvent(new RunEvent(EventType.RESUMED, position.step(), "resumed from "
                        + resumeFrom.get().directory().getFileName() + " at epoch " + position.epoch() + ", step "
                        + position.step()));
            } else {
                position = new Checkpoint.State(spec.kind().id(), 0, 0, 0, 0, 0);
                last = save(position, false); // the roll-back target before the first step
            }
            while (true) {
                Optional<Result> result = train(position);
                if (result.isPresent()) {
                    return result.get();
                }
                position = restore(last); // a roll-back: continue from the last good checkpoint
            }
        }

        /** Trains from {@code position}; empty when a divergence asks to roll back. */
        private Optional<Result> train(Checkpoint.State position) throws IOException {
            long started = System.nanoTime();
            long stepsThisAttempt = 0;
            long lastSnapshot = System.nanoTime();
            int epoch = position.epoch();
            int done = position.batchesDoneInEpoch();
            long step = position.step();
            while (epoch < spec.epochs()) {
                float factor = learningRateFactor(epoch);
                trainee.scaleLearningRates(factor);
                BatchIterator batches = dataset.epoch(spec.training().batchSize(),
                        new Random(Batches.mix(spec.seed(), epoch)), true);
                batches.skip(done); // replays the epoch's random draws up to the checkpoint
                while (batches.hasNext()) {
                    if (cancelled.get()) {
                        last = save(state(epoch, done, step, trained(position, started)), false);
                        listener.onEvent(new RunEvent(EventType.CANCELLED, step, "cancelled at step " + step));
                        return Optional.of(new Result(Outcome.CANCELLED, null, last));
                    }
                    Batch batch = batches.next();
                    long stepStart = System.nanoTime();
                    long seed = step;
                    StepLosses losses = withEngine(() -> {
                        Engine.getInstance().setRandomSeed((int) Batches.mix(spec.seed(), seed));
                        return trainee.step(batch, Batches.mix(spec.seed() + 1, seed));
                    });
                    if (!losses.finite()) {
                        return rollBack(step, "loss is not finite: " + losses);
                    }
                    step++;
                    done++;
                    stepsThisAttempt++;
                    double seconds = (System.nanoTime() - stepStart) / 1e9;
                    double elapsed = (System.nanoTime() - started) / 1e9;
                    double trained = trained(position, started);
                    double progress = (double) step / totalSteps;
                    double eta = elapsed / stepsThisAttempt * (totalSteps - step);
                    if (spec.maxMinutes() > 0) {
                        // a time budget that ends the run before its epochs do sets the bar and the ETA
                        double budget = spec.maxMinutes() * 60;
                        progress = Math.max(progress, Math.min(1, trained / budget));
                        eta = Math.min(eta, Math.max(0, budget - trained));
                    }
                    listener.onStep(new StepMetrics(epoch, step, losses.discriminator(), losses.generator(),
                            losses.kl(), generatorLr() * factor, discriminatorLr() * factor, batch.size() / seconds,
                            seconds, elapsed, progress, eta));
                    if (spec.maxMinutes() > 0 && trained >= spec.maxMinutes() * 60) {
                        // the time budget (equal-wall-time comparisons): end here with a checkpoint
                        if (!snapshot(epoch, done, step, trained)) {
                            return rollBack(step, "a weight is not finite");
                        }
                        return Optional.of(new Result(Outcome.SUCCEEDED, null, last));
                    }
                    boolean minutesDue = spec.snapshotEveryMinutes() > 0
                            && (System.nanoTime() - lastSnapshot) / 60e9 >= spec.snapshotEveryMinutes();
                    if (minutesDue && batches.hasNext()) {
                        if (!snapshot(epoch, done, step, trained(position, started))) {
                            return rollBack(step, "a weight is not finite");
                        }
                        lastSnapshot = System.nanoTime();
                    }
                }
                epoch++;
                done = 0;
                if (epoch % spec.snapshotEveryEpochs() == 0 || epoch == spec.epochs()) {
                    if (!snapshot(epoch, 0, step, trained(position, started))) {
                        return rollBack(step, "a weight is not finite");
                    }
                    lastSnapshot = System.nanoTime();
                }
                if (epoch % spec.training().lrDecayEpochs() == 0 && epoch < spec.epochs()) {
                    listener.onEvent(new RunEvent(EventType.LR_HALVED, step, "learning rates halved at epoch "
                            + epoch + " (every " + spec.training().lrDecayEpochs() + " epochs)"));
                }
            }
            return Optional.of(new Result(Outcome.SUCCEEDED, null, last));
        }

        private float generatorLr() {
            return spec.kind() == RunKind.TEXT_ENCODER
                    ? spec.training().textEncoderLr() * spec.training().lrMultiplier()
                    : spec.training().effectiveGeneratorLr();
        }

        private float discriminatorLr() {
            return spec.kind() == RunKind.TEXT_ENCODER ? generatorLr() : spec.training().effectiveDiscriminatorLr();
        }

        /** Reference schedule: both rates halve every lrDecayEpochs; each divergence roll-back halves them again. */
        private float learningRateFactor(int epoch) {
            return (float) Math.pow(0.5, epoch / spec.training().lrDecayEpochs() + halvings);
        }

        private Checkpoint.State state(int epoch, int done, long step, double trainedSeconds) {
            return new Checkpoint.State(spec.kind().id(), epoch, done, step, halvings, trainedSeconds);
        }

        /** Training wall time up to now: the checkpoint's own and this attempt's since {@code started}. */
        private static double trained(Checkpoint.State position, long started) {
            return position.trainedSeconds() + (System.nanoTime() - started) / 1e9;
        }

        /** Writes a checkpoint unless a weight is not finite; returns false then. */
        private boolean snapshot(int epoch, int done, long step, double trainedSeconds) throws IOException {
            if (!weightsFinite()) {
                return false;
            }
            last = save(state(epoch, done, step, trainedSeconds), true);
            return true;
        }

        private Checkpoint save(Checkpoint.State state, boolean evaluate) throws IOException {
            return withEngine(() -> saveLocked(state, evaluate));
        }

        private Checkpoint saveLocked(Checkpoint.State state, boolean evaluate) throws IOException {
            Map<String, Double> evaluation = Map.of();
            byte[] samples = null;
            if (evaluate && spec.kind() != RunKind.TEXT_ENCODER) {
                samples = trainee.samples(); // first: it re-estimates a weight average's batch-norm statistics
                evaluation = trainee.evaluate();
                double diversity = evaluation.get("diversity");
                if (diversity < spec.collapseThreshold()) {
                    listener.onEvent(new RunEvent(EventType.COLLAPSE_SUSPECTED, state.step(), String.format(
                            "sample diversity %.3f of real images is below the threshold %.3f: mode collapse?",
                            diversity, spec.collapseThreshold())));
                }
            }
            Checkpoint checkpoint = Checkpoint.write(checkpoints, state, config, vocabulary, trainee.networks(),
                    trainee.optimizers(), samples);
            listener.onCheckpoint(checkpoint, evaluation);
            return checkpoint;
        }

        /** Back to the last good checkpoint with halved learning rates, or the failure when retries are used up. */
        private Optional<Result> rollBack(long step, String reason) throws IOException {
            if (halvings >= spec.maxDivergenceRetries()) {
                return Optional.of(new Result(Outcome.FAILED, "diverged at step " + step + " (" + reason + ") after "
                        + halvings + " roll-backs with halved learning rates", last));
            }
            halvings++;
            listener.onEvent(new RunEvent(EventType.DIVERGENCE_ROLLED_BACK, step, reason + " at step " + step
                    + "; rolled back to step " + last.state().step() + " with learning rates x"
                    + Math.pow(0.5, halvings) + " (retry " + halvings + " of " + spec.maxDivergenceRetries() + ")"));
            return Optional.empty();
        }

        private Checkpoint.State restore(Checkpoint checkpoint) throws IOException {
            return withEngine(() -> restoreLocked(checkpoint));
        }

        private Checkpoint.State restoreLocked(Checkpoint checkpoint) throws IOException {
            for (Map.Entry<String, Block> e : trainee.networks().entrySet()) {
                checkpoint.loadNetwork(e.getKey(), e.getValue(), managerOf(e.getValue()));
            }
            for (var e : trainee.optimizers().entrySet()) {
                checkpoint.loadOptimizer(e.getKey(), e.getValue());
            }
            last = checkpoint;
            halvings = Math.max(halvings, checkpoint.state().divergenceHalvings());
            return checkpoint.state();
        }

        private boolean weightsFinite() {
            for (Block network : trainee.networks().values()) {
                for (Parameter parameter : network.getParameters().values()) {
                    NDArray array = parameter.getArray();
                    try (NDArray sum = array.sum()) {
                        if (!Float.isFinite(sum.getFloat())) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }
    }

    private static ai.djl.ndarray.NDManager managerOf(Block network) {
        return network.getParameters().values().iterator().next().getArray().getManager();
    }
}
