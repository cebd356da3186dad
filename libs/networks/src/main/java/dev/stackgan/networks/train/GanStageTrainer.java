package dev.stackgan.networks.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.ConditioningAugmentation;
import dev.stackgan.networks.model.Discriminator;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;

/**
 * One StackGAN training step, as the reference trainer: update D on (real, wrong, fake) pairs, then G against the
 * updated D plus the KL term, and, when {@link TrainingConfig#matchingCoefficient} is set, AttnGAN's DAMSM sentence
 * loss between the fake images and their captions through the frozen matching encoders. G runs forward once per
 * step; its graph is kept across the two gradient collectors (DJL allows only one open at a time). Optionally every
 * image D sees passes through DiffAugment, a Stage-II generator pays for moving away from its Stage-I image
 * ({@link TrainingConfig#stage1Consistency}), and a moving average of G's weights follows each update.
 */
public final class GanStageTrainer {

    /** Consecutive updates of one network skipped for non-finite gradients that count as divergence. */
    static final int MAX_SKIPPED_IN_A_ROW = 3;

    private final NDManager manager;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final ConditionalGenerator generator;
    private final Discriminator discriminator;
    private final TrainingConfig config;
    private final GanLoss loss;
    private final ParameterOptimizer generatorOptimizer;
    private final ParameterOptimizer discriminatorOptimizer;
    private final DifferentiableAugmentation augmentation;
    private final WeightAverage average;

    /**
     * The text and image encoders are frozen: GAN stages use trained ones and never update them. The image encoder
     * is only run when the config weighs the caption-matching loss; it may be null otherwise.
     */
    public GanStageTrainer(NDManager manager, TextEncoder textEncoder, ImageEncoder imageEncoder,
                           ConditionalGenerator generator, Discriminator discriminator, TrainingConfig config) {
        this(manager, textEncoder, imageEncoder, generator, discriminator, config, null);
    }

    /** @param average the moving average of the generator's weights to update after each step, or null */
    public GanStageTrainer(NDManager manager, TextEncoder textEncoder, ImageEncoder imageEncoder,
                           ConditionalGenerator generator, Discriminator discriminator, TrainingConfig config,
                           WeightAverage average) {
        if (config.matchingCoefficient() > 0f && imageEncoder == null) {
            throw new IllegalArgumentException("matchingCoefficient " + config.matchingCoefficient()
                    + " needs the image encoder of the text-encoder checkpoint");
        }
        this.manager = manager;
        this.textEncoder = textEncoder;
        this.imageEncoder = imageEncoder;
        this.generator = generator;
        this.discriminator = discriminator;
        this.config = config;
        this.loss = GanLoss.of(config.loss());
        this.augmentation = new DifferentiableAugmentation(config.augmentations());
        this.average = average;
        textEncoder.freezeParameters(true);
        if (imageEncoder != null) {
            imageEncoder.freezeParameters(true);
        }
        generatorOptimizer = ParameterOptimizer.create(config.optimizer(), generator.trainable(),
                config.effectiveGeneratorLr());
        discriminatorOptimizer = ParameterOptimizer.create(config.optimizer(), discriminator,
                config.effectiveDiscriminatorLr());
    }

    public ParameterOptimizer generatorOptimizer() {
        return generatorOptimizer;
    }

    public ParameterOptimizer discriminatorOptimizer() {
        return discriminatorOptimizer;
    }

    public StepLosses step(GanBatch batch) {
        ParameterStore store = new ParameterStore(manager, false);
        try (NDScope ignored = new NDScope()) {
            NDArray sentence = textEncoder.forward(store, new NDList(batch.tokenIds()), false).singletonOrThrow();
            ConditionalGenerator.Generated fake;
            NDArray condition;
            NDArray discriminatorLoss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                fake = generator.generate(store, sentence, batch, true);
                condition = fake.mu().stopGradient(); // D sees the condition, never trains the CA head
                NDList real = discriminator.forward(store, new NDList(augment(batch.realImages()), condition), true);
                NDList wrong = discriminator.forward(store, new NDList(augment(batch.wrongImages()), condition),
                        true);
                NDList fakeLogits = discriminator.forward(store,
                        new NDList(augment(fake.image().stopGradient()), condition), true);
                discriminatorLoss = loss.discriminator(real, wrong, fakeLogits);
                discriminatorOptimizer.zeroGradients();
                collector.backward(discriminatorLoss);
            }
            discriminatorOptimizer.step();
            if (loss.clipsWeights()) {
                clip(discriminatorOptimizer, config.wassersteinClip());
            }
            NDArray generatorLoss;
            NDArray kl;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList fakeLogits = discriminator.forward(store, new NDList(augment(fake.image()), condition), true);
                kl = ConditioningAugmentation.klDivergence(fake.mu(), fake.logvar());
                generatorLoss = loss.generator(fakeLogits).add(kl.mul(config.klCoefficient()));
                if (config.matchingCoefficient() > 0f) {
                    generatorLoss = generatorLoss.add(captionMismatch(store, fake.image(), sentence, batch)
                            .mul(config.matchingCoefficient()));
                }
                if (config.stage1Consistency() > 0f && fake.refined() != null) {
                    generatorLoss = generatorLoss.add(stage1Drift(fake.image(), fake.refined())
                            .mul(config.stage1Consistency()));
                }
                generatorOptimizer.zeroGradients();
                collector.backward(generatorLoss);
            }
            generatorOptimizer.step();
            if (average != null) {
                average.update(generatorOptimizer.steps());
            }
            // a lone non-finite gradient is skipped; a run of them is divergence, for StageRun's guard to roll back
            return new StepLosses(diverged(discriminatorOptimizer) ? Float.NaN : discriminatorLoss.getFloat(),
                    diverged(generatorOptimizer) ? Float.NaN : generatorLoss.getFloat(), kl.getFloat());
        }
    }

    /** What D sees of an image: DiffAugment's transforms when the config enables them. */
    private NDArray augment(NDArray images) {
        return augmentation.enabled() ? augmentation.apply(images) : images;
    }

    /** DAMSM's sentence loss of the fake images against their captions, images pooled to the encoder's size. */
    private NDArray captionMismatch(ParameterStore store, NDArray images, NDArray sentences, GanBatch batch) {
        NDArray pooled = pool(images, images.getShape().get(2) / imageEncoder.imageSize());
        NDArray vectors = imageEncoder.forward(store, new NDList(pooled), false).singletonOrThrow();
        return MatchingTrainer.sentenceLoss(vectors, sentences, batch.classIds(), config.matchingGamma());
    }

    /**
     * How far Stage-II moved from the Stage-I image it refines, at Stage-I's size: the mean absolute difference
     * after average-pooling. Detail within a Stage-I pixel is free; a redrawn outline or colour is not.
     */
    private static NDArray stage1Drift(NDArray images, NDArray stage1Images) {
        long factor = images.getShape().get(2) / stage1Images.getShape().get(2);
        return pool(images, factor).sub(stage1Images).abs().mean();
    }

    private static NDArray pool(NDArray images, long factor) {
        return factor == 1 ? images : Pool.avgPool2d(images, new Shape(factor, factor), new Shape(factor, factor),
                new Shape(0, 0), false, true);
    }

    private static boolean diverged(ParameterOptimizer optimizer) {
        return optimizer.skippedInARow() >= MAX_SKIPPED_IN_A_ROW;
    }

    /** Clamps each weight to [-limit, limit] in place. */
    private static void clip(ParameterOptimizer optimizer, float limit) {
        try (NDScope ignored = new NDScope()) {
            for (Parameter parameter : optimizer.parameters()) {
                NDArray weight = parameter.getArray();
                weight.subi(weight.sub(weight.clip(-limit, limit)));
            }
        }
    }
}
