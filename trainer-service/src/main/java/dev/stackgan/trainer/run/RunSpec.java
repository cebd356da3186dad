package dev.stackgan.trainer.run;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.config.ModelConfig.NetworkVariants;
import dev.stackgan.datasets.Split;
import dev.stackgan.evaluation.Evaluator;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.config.TrainingConfig;

/**
 * Everything that defines a training run, as submitted by a user (JSON through the API, or a file). Fields left null
 * take the preset's value. {@link #resolve} checks every field and names the first bad one.
 *
 * @param name                   a label for people
 * @param kind                   {@code text-encoder}, {@code stage1} or {@code stage2}
 * @param preset                 {@code paper}, {@code small} or {@code tiny}
 * @param dataset                data set directory (holding {@code CUB_200_2011/} and {@code text_c10/}), relative
 *                               to the trainer's data root
 * @param split                  {@code stackgan-class} (150 / 50 classes) or {@code cub-image} (CUB's own split)
 * @param epochs                 epochs to train
 * @param seed                   seeds data order, noise and dropout: the same spec trains the same model
 * @param snapshotEveryEpochs    checkpoint every this many epochs (and at the end)
 * @param snapshotEveryMinutes   also checkpoint when this many minutes passed since the last one (0: off)
 * @param textEncoderCheckpoint  checkpoint directory of a text-encoder run (required by a Stage-I run that starts
 *                               afresh; a run with a stage1Checkpoint conditions on the text encoder that
 *                               checkpoint carries, so there it is only recorded)
 * @param stage1Checkpoint       checkpoint directory of a Stage-I run: required by Stage-II, which refines its
 *                               images; on a Stage-I run, the generator it continues to train (the average when
 *                               that run kept one) with a new discriminator, so that training carries on across
 *                               machines from a slim parent checkpoint
 * @param overrides              variant settings that replace the preset's
 * @param maxDivergenceRetries   roll-backs with halved learning rates before the run fails
 * @param collapseThreshold      sample diversity relative to real images below which a collapse event is recorded
 * @param evaluationSamples      images generated at each checkpoint for R-precision, caption fidelity, Inception
 *                               score and Frechet distance (0: diversity only; default 16, at most 1000)
 * @param maxMinutes             ends the run (SUCCEEDED, with a checkpoint) once it has trained this many minutes of
 *                               wall time, counted across resumes, even before its last epoch: runs compared at
 *                               equal wall time (null or 0: no limit)
 */
public record RunSpec(String name, String kind, String preset, String dataset, String split, Integer epochs,
                      Long seed, Integer snapshotEveryEpochs, Double snapshotEveryMinutes,
                      String textEncoderCheckpoint, String stage1Checkpoint, Overrides overrides,
                      Integer maxDivergenceRetries, Double collapseThreshold, Integer evaluationSamples,
                      Double maxMinutes) {

    /** The widest Stage-II generator or discriminator a run may ask for: the paper's. */
    public static final int MAX_STAGE2_WIDTH = 128;

    /** Variant settings; null keeps the preset's value. */
    public record Overrides(Integer batchSize, Float generatorLr, Float discriminatorLr, Float lrMultiplier,
                            Integer lrDecayEpochs, Float klCoefficient, String loss, String optimizer,
                            Float wassersteinClip, Float textEncoderLr, Boolean generatorBatchNorm,
                            Boolean discriminatorBatchNorm, Float discriminatorDropout, Float matchingCoefficient,
                            Boolean stage2Residual, Float generatorEma, String augment,
                            Boolean discriminatorSpectralNorm, Integer stage2GeneratorDim,
                            Integer stage2DiscriminatorDim, Float stage1Consistency) {
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A spec with every field checked and every default filled in. */
    public record Resolved(String name, RunKind kind, Preset preset, String dataset, Split split, int epochs,
                           long seed, int snapshotEveryEpochs, double snapshotEveryMinutes,
                           String textEncoderCheckpoint, String stage1Checkpoint, TrainingConfig training,
                           NetworkVariants variants, Stage2Widths stage2Widths, int maxDivergenceRetries,
                           double collapseThreshold, int evaluationSamples, double maxMinutes) {

        /** The preset's model config with this run's variants, for a vocabulary size. */
        public ModelConfig model(int vocabularySize) {
            return configure(preset.model(vocabularySize));
        }

        /** A parent checkpoint's (or the preset's) model config with this run's variants and Stage-II widths. */
        public ModelConfig configure(ModelConfig base) {
            ModelConfig config = base.withVariants(variants);
            return (stage2Widths == null ? config : config.withStage2Widths(stage2Widths.generatorDim(),
                    stage2Widths.discriminatorDim())).validate();
        }
    }

    /** Stage-II's widths when a stage2 run sets either; null in a run that keeps its parent's. */
    public record Stage2Widths(int generatorDim, int discriminatorDim) {
    }

    public Resolved resolve() {
        RunKind runKind = RunKind.parse(kind);
        Preset base = Preset.parse(preset);
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset is required: a directory under the data root");
        }
        Split dataSplit = Split.parse(split);
        int epochCount = epochs == null ? 1 : epochs;
        if (epochCount < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochCount);
        }
        int snapshotEpochs = snapshotEveryEpochs == null ? Math.max(1, epochCount / 10) : snapshotEveryEpochs;
        if (snapshotEpochs < 1) {
            throw new IllegalArgumentException("snapshotEveryEpochs must be >= 1, got " + snapshotEpochs);
        }
        double snapshotMinutes = snapshotEveryMinutes == null ? 30 : snapshotEveryMinutes;
        if (!(snapshotMinutes >= 0) || Double.isInfinite(snapshotMinutes)) {
            throw new IllegalArgumentException("snapshotEveryMinutes must be >= 0, got " + snapshotMinutes);
        }
        if (runKind == RunKind.STAGE1 && blank(textEncoderCheckpoint) && blank(stage1Checkpoint)) {
            throw new IllegalArgumentException("textEncoderCheckpoint (or stage1Checkpoint, to continue a Stage-I"
                    + " generator) is required for a stage1 run: Stage-I conditions on a trained text encoder");
        }
        if (runKind == RunKind.STAGE2 && blank(stage1Checkpoint)) {
            throw new IllegalArgumentException("stage1Checkpoint is required for a stage2 run: Stage-II refines the"
                    + " images of a trained Stage-I generator");
        }
        Overrides o = overrides == null ? Overrides.NONE : overrides;
        TrainingConfig t = base.training();
        TrainingConfig training = new TrainingConfig(
                or(o.batchSize(), t.batchSize()), or(o.generatorLr(), t.generatorLr()),
                or(o.discriminatorLr(), t.discriminatorLr()), or(o.lrMultiplier(), t.lrMultiplier()),
                or(o.lrDecayEpochs(), runKind == RunKind.STAGE2 ? 2 * t.lrDecayEpochs() : t.lrDecayEpochs()),
                or(o.klCoefficient(), t.klCoefficient()),
                o.loss() == null ? t.loss() : TrainingConfig.Loss.parse(o.loss()),
                o.optimizer() == null ? t.optimizer() : TrainingConfig.OptimizerKind.parse(o.optimizer()),
                or(o.wassersteinClip(), t.wassersteinClip()), or(o.textEncoderLr(), t.textEncoderLr()),
                t.matchingGamma(), or(o.matchingCoefficient(), t.matchingCoefficient()),
                or(o.generatorEma(), t.generatorEma()),
                o.augment() == null ? t.augmentations() : TrainingConfig.Augmentation.parseList(o.augment()),
                or(o.stage1Consistency(), t.stage1Consistency())).validate();
        if (runKind != RunKind.STAGE2 && o.stage1Consistency() != null && o.stage1Consistency() != 0f) {
            throw new IllegalArgumentException("overrides.stage1Consistency applies to stage2 runs only (it holds"
                    + " Stage-II's images to their Stage-I images), not to a " + runKind.id() + " run");
        }
        ModelConfig presetModel = base.model(2);
        NetworkVariants v = presetModel.variants();
        NetworkVariants variants = new NetworkVariants(or(o.generatorBatchNorm(), v.generatorBatchNorm()),
                or(o.discriminatorBatchNorm(), v.discriminatorBatchNorm()),
                or(o.discriminatorDropout(), v.discriminatorDropout()), or(o.stage2Residual(), v.stage2Residual()),
                or(o.discriminatorSpectralNorm(), v.discriminatorSpectralNorm()));
        Stage2Widths widths = stage2Widths(runKind, presetModel, o);
        int retries = maxDivergenceRetries == null ? 3 : maxDivergenceRetries;
        if (retries < 0) {
            throw new IllegalArgumentException("maxDivergenceRetries must be >= 0, got " + retries);
        }
        double collapse = collapseThreshold == null ? 0.1 : collapseThreshold;
        if (!(collapse >= 0 && collapse < 1)) {
            throw new IllegalArgumentException("collapseThreshold must be in [0, 1), got " + collapse);
        }
        double minutes = maxMinutes == null ? 0 : maxMinutes;
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("maxMinutes must be >= 0, got " + minutes);
        }
        int samples = Evaluator.Settings.checkSamples(
                evaluationSamples == null ? Evaluator.Settings.DEFAULT_SAMPLES : evaluationSamples);
        Resolved resolved = new Resolved(name == null || name.isBlank() ? runKind.id() : name.trim(), runKind, base,
                dataset.trim(), dataSplit, epochCount, seed == null ? 1L : seed, snapshotEpochs, snapshotMinutes,
                textEncoderCheckpoint, stage1Checkpoint, training, variants, widths, retries, collapse, samples,
                minutes);
        resolved.model(2); // the sizes and variants fit together
        return resolved;
    }

    /**
     * Stage-II's widths from the overrides, filled in from the preset where one is left out; refused on the runs
     * that do not build Stage-II, whose checkpoints would otherwise carry widths no network of theirs uses.
     */
    private static Stage2Widths stage2Widths(RunKind kind, ModelConfig preset, Overrides o) {
        if (o.stage2GeneratorDim() == null && o.stage2DiscriminatorDim() == null) {
            return null;
        }
        if (kind != RunKind.STAGE2) {
            throw new IllegalArgumentException("overrides." + (o.stage2GeneratorDim() != null ? "stage2GeneratorDim"
                    : "stage2DiscriminatorDim") + " applies to stage2 runs only, not to a " + kind.id() + " run");
        }
        return new Stage2Widths(width("stage2GeneratorDim", o.stage2GeneratorDim(), preset.stage2().generatorDim()),
                width("stage2DiscriminatorDim", o.stage2DiscriminatorDim(), preset.stage2().discriminatorDim()));
    }

    /** Above the paper's 128 a 256 px Stage-II no longer fits a training batch in the memory of one host. */
    private static int width(String field, Integer value, int presetValue) {
        int width = or(value, presetValue);
        if (width < 1 || width > MAX_STAGE2_WIDTH) {
            throw new IllegalArgumentException("overrides." + field + " must be in [1, " + MAX_STAGE2_WIDTH
                    + "], got " + width);
        }
        return width;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
