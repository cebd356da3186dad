package dev.stackgan.networks.config;

import dev.stackgan.console.Choices;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;


/**
 * How one stage is trained. The variants earlier StackGAN users hand-edited into forks (loss, optimizer, learning
 * rate scale, KL weight) are fields here; batch norm and dropout are architecture switches in
 * {@link dev.stackgan.bundle.config.ModelConfig.NetworkVariants}.
 *
 * @param batchSize          images per step (paper: 64)
 * @param generatorLr        base generator learning rate (paper: 2e-4)
 * @param discriminatorLr    base discriminator learning rate (paper: 2e-4)
 * @param lrMultiplier       scales both learning rates (the "10x learning rate" experiment is 10)
 * @param lrDecayEpochs      both learning rates halve every this many epochs (paper birds: 50 Stage-I, 100 Stage-II)
 * @param klCoefficient      weight of the Conditioning Augmentation KL term in the generator loss (paper: 2.0)
 * @param loss               {@code bce} (matching-aware real / wrong / fake), {@code hinge} (the same pairs, hinge
 *                           terms) or {@code wasserstein} (critic, clipping)
 * @param optimizer          {@code adam} (beta1 0.5, beta2 0.999) or {@code rmsprop}
 * @param wassersteinClip    critic weights are clipped to [-clip, clip] after each step of the Wasserstein loss
 * @param textEncoderLr      learning rate of the text and image encoders (DAMSM: 2e-3)
 * @param matchingGamma      DAMSM's sentence-loss smoothing gamma3 (10)
 * @param matchingCoefficient weight of DAMSM's sentence loss between generated images and their captions in the
 *                           generator loss, through the frozen matching encoders (AttnGAN's lambda, 5 for birds;
 *                           0 trains StackGAN as published)
 * @param generatorEma       decay of an exponential moving average of the generator's weights, which draws the
 *                           samples, is evaluated and exported (0: off, the paper; 0.999 is common)
 * @param augmentations      differentiable augmentations of every image D sees, real and generated (Zhao et al.
 *                           2020, DiffAugment; empty: off, the paper)
 * @param stage1Consistency  Stage-II only: weight of the mean absolute difference between the Stage-II image
 *                           average-pooled to the Stage-I size and the Stage-I image it refines, in the generator
 *                           loss, so that Stage-II adds detail without redrawing the shape and colours Stage-I chose
 *                           (0: off, the paper)
 */
public record TrainingConfig(int batchSize, float generatorLr, float discriminatorLr, float lrMultiplier,
                             int lrDecayEpochs, float klCoefficient, Loss loss, OptimizerKind optimizer,
                             float wassersteinClip, float textEncoderLr, float matchingGamma,
                             float matchingCoefficient, float generatorEma, Set<Augmentation> augmentations,
                             float stage1Consistency) {

    public TrainingConfig {
        augmentations = augmentations == null || augmentations.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(augmentations));
    }

    public enum Loss {
        BCE, HINGE, WASSERSTEIN;

        public static Loss parse(String value) {
            return Choices.parse("loss", values(), Choices::lowerCaseName, value);
        }
    }

    public enum OptimizerKind {
        ADAM, RMSPROP;

        public static OptimizerKind parse(String value) {
            return Choices.parse("optimizer", values(), Choices::lowerCaseName, value);
        }
    }

    /** DiffAugment's transforms, applied in this order: colour, then translation, then cutout. */
    public enum Augmentation {
        COLOR, TRANSLATION, CUTOUT;

        /** A comma-separated list of transform names, e.g. {@code color,translation,cutout}; blank is none. */
        public static Set<Augmentation> parseList(String value) {
            Set<Augmentation> set = EnumSet.noneOf(Augmentation.class);
            if (value != null && !value.isBlank()) {
                for (String name : value.split(",")) {
                    set.add(Choices.parse("augment", values(), Choices::lowerCaseName, name));
                }
            }
            return set;
        }
    }

    public float effectiveGeneratorLr() {
        return generatorLr * lrMultiplier;
    }

    public float effectiveDiscriminatorLr() {
        return discriminatorLr * lrMultiplier;
    }

    public TrainingConfig withLoss(Loss newLoss) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, newLoss, optimizer, wassersteinClip, textEncoderLr, matchingGamma,
                matchingCoefficient, generatorEma, augmentations, stage1Consistency);
    }

    public TrainingConfig withOptimizer(OptimizerKind newOptimizer) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, loss, newOptimizer, wassersteinClip, textEncoderLr, matchingGamma,
                matchingCoefficient, generatorEma, augmentations, stage1Consistency);
    }

    public TrainingConfig withLrMultiplier(float multiplier) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, multiplier, lrDecayEpochs,
                klCoefficient, loss, optimizer, wassersteinClip, textEncoderLr, matchingGamma,
                matchingCoefficient, generatorEma, augmentations, stage1Consistency);
    }

    public TrainingConfig withMatchingCoefficient(float coefficient) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, loss, optimizer, wassersteinClip, textEncoderLr, matchingGamma, coefficient,
                generatorEma, augmentations, stage1Consistency);
    }

    public TrainingConfig withGeneratorEma(float decay) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, loss, optimizer, wassersteinClip, textEncoderLr, matchingGamma, matchingCoefficient,
                decay, augmentations, stage1Consistency);
    }

    public TrainingConfig withAugmentations(Set<Augmentation> transforms) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, loss, optimizer, wassersteinClip, textEncoderLr, matchingGamma, matchingCoefficient,
                generatorEma, transforms, stage1Consistency);
    }

    public TrainingConfig withStage1Consistency(float coefficient) {
        return new TrainingConfig(batchSize, generatorLr, discriminatorLr, lrMultiplier, lrDecayEpochs,
                klCoefficient, loss, optimizer, wassersteinClip, textEncoderLr, matchingGamma, matchingCoefficient,
                generatorEma, augmentations, coefficient);
    }

    /** Throws {@link IllegalArgumentException} naming the first field out of range. */
    public TrainingConfig validate() {
        positive("batchSize", batchSize);
        positive("generatorLr", generatorLr);
        positive("discriminatorLr", discriminatorLr);
        positive("lrMultiplier", lrMultiplier);
        positive("lrDecayEpochs", lrDecayEpochs);
        positive("textEncoderLr", textEncoderLr);
        positive("matchingGamma", matchingGamma);
        positive("wassersteinClip", wassersteinClip);
        nonNegative("klCoefficient", klCoefficient);
        nonNegative("matchingCoefficient", matchingCoefficient);
        nonNegative("stage1Consistency", stage1Consistency);
        if (!(generatorEma >= 0f && generatorEma < 1f)) {
            throw new IllegalArgumentException("generatorEma must be in [0, 1), got " + generatorEma);
        }
        if (loss == null) {
            throw new IllegalArgumentException("loss must be one of bce, hinge, wasserstein");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be one of adam, rmsprop");
        }
        return this;
    }

    private static void nonNegative(String field, float value) {
        if (!(value >= 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
    }
}
