package dev.stackgan.networks.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.config.ModelConfig.NetworkVariants;
import dev.stackgan.networks.TinyModels;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.config.TrainingConfig.Loss;
import dev.stackgan.networks.config.TrainingConfig.OptimizerKind;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingSmokeTest {

    @Test
    void stage1StepsTrainGeneratorAndDiscriminatorButNotTheTextEncoder() {
        long skippedBefore = ParameterOptimizer.skippedInProcess();
        try (TinyModels models = new TinyModels(1)) {
            Map<String, float[]> generator = TinyModels.snapshot(models.stage1);
            Map<String, float[]> discriminator = TinyModels.snapshot(models.stage1Discriminator);
            Map<String, float[]> text = TinyModels.snapshot(models.textEncoder);
            GanStageTrainer trainer = models.stage1Trainer();
            for (int i = 0; i < 3; i++) {
                StepLosses losses = trainer.step(models.batch(models.config.stage1().imageSize()));
                System.out.println("stage1 step " + i + ": " + losses);
                assertFiniteMath(skippedBefore, losses);
                assertTrue(losses.finite(), losses::toString);
                assertTrue(losses.discriminator() > 0f && losses.kl() >= 0f, losses::toString);
            }
            int trainable = trainer.generatorOptimizer().parameters().size();
            assertEquals(trainable, TinyModels.changed(generator, TinyModels.snapshot(models.stage1)) - runningStats(
                    models.stage1), "every trainable generator parameter moved");
            assertTrue(TinyModels.changed(discriminator, TinyModels.snapshot(models.stage1Discriminator))
                    >= trainer.discriminatorOptimizer().parameters().size());
            assertEquals(0, TinyModels.changed(text, TinyModels.snapshot(models.textEncoder)), "text encoder frozen");
        }
    }

    @Test
    void stage2StepsTrainStage2BehindAFrozenStage1() {
        long skippedBefore = ParameterOptimizer.skippedInProcess();
        try (TinyModels models = new TinyModels(2)) {
            Map<String, float[]> stage1 = TinyModels.snapshot(models.stage1);
            Map<String, float[]> stage2 = TinyModels.snapshot(models.stage2);
            GanStageTrainer trainer = models.stage2Trainer();
            for (int i = 0; i < 2; i++) {
                StepLosses losses = trainer.step(models.batch(models.config.stage2().imageSize()));
                System.out.println("stage2 step " + i + ": " + losses);
                assertFiniteMath(skippedBefore, losses);
                assertTrue(losses.finite(), losses::toString);
            }
            assertEquals(0, TinyModels.changed(stage1, TinyModels.snapshot(models.stage1)),
                    "Stage-I weights and batch-norm statistics stay as trained");
            assertTrue(TinyModels.changed(stage2, TinyModels.snapshot(models.stage2))
                    >= trainer.generatorOptimizer().parameters().size());
        }
    }

    @Test
    void captionMatchingAddsItsWeightedSentenceLossToTheGeneratorLoss() {
        TrainingConfig plain = Preset.TINY.training();
        // 32 px images against the encoder's 16: the pooled path
        assertAddsWeightedTerm(10, plain.withMatchingCoefficient(5f), 5f, 0f, (reference, store, batch, fake) -> {
            NDArray pooled = Pool.avgPool2d(fake.image(), new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false,
                    true);
            NDArray vectors = reference.imageEncoder.forward(store, new NDList(pooled), false).singletonOrThrow();
            NDArray sentence = reference.textEncoder.forward(store, new NDList(batch.tokenIds()), false)
                    .singletonOrThrow();
            return MatchingTrainer.sentenceLoss(vectors, sentence, batch.classIds(), plain.matchingGamma())
                    .getFloat(); // random images do not match their captions: above 0
        });
    }

    @Test
    void stage1ConsistencyAddsItsWeightedDriftFromTheStage1ImageToTheGeneratorLoss() {
        int side = Preset.TINY.model(TinyModels.VOCABULARY).stage1().imageSize();
        TrainingConfig consistent = Preset.TINY.training().withStage1Consistency(3f);
        // an untrained Stage-II redraws its input: the drift is well above 0
        assertAddsWeightedTerm(11, consistent, 3f, 0.01f, (reference, store, batch, fake) -> {
            // by hand: each Stage-I pixel against the mean of the 2 x 2 Stage-II pixels it became
            float[] high = fake.image().toFloatArray();
            float[] low = fake.refined().toFloatArray();
            float sum = 0f;
            for (int plane = 0; plane < low.length / (side * side); plane++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        int h = plane * 4 * side * side + 2 * y * 2 * side + 2 * x;
                        float mean = (high[h] + high[h + 1] + high[h + 2 * side] + high[h + 2 * side + 1]) / 4f;
                        sum += Math.abs(mean - low[plane * side * side + y * side + x]);
                    }
                }
            }
            return sum / low.length;
        });
    }

    /** A generator-loss term computed by hand from the reference models' Stage-II images of a batch. */
    private interface TermByHand {
        float of(TinyModels reference, ParameterStore store, GanBatch batch, ConditionalGenerator.Generated fake);
    }

    /**
     * One tiny Stage-II step without and with {@code weighted} (the plain config plus one weighted term) from the
     * same seed and batch: D's loss must not change and G's must grow by exactly {@code weight} times the term, which
     * {@code term} computes by hand on a third copy of the models, and the term must exceed {@code minimum}.
     */
    private static void assertAddsWeightedTerm(long seed, TrainingConfig weighted, float weight, float minimum,
                                               TermByHand term) {
        ModelConfig model = Preset.TINY.model(TinyModels.VOCABULARY);
        TrainingConfig plain = Preset.TINY.training();
        try (TinyModels without = new TinyModels(seed, model, plain);
             TinyModels with = new TinyModels(seed, model, weighted);
             TinyModels reference = new TinyModels(seed, model, plain)) {
            GanBatch batch = without.batch(model.stage2().imageSize());
            StepLosses base = without.stage2Trainer().step(batch);
            StepLosses added = with.stage2Trainer().step(copy(batch, with));

            ParameterStore store = new ParameterStore(reference.manager, false);
            GanBatch same = copy(batch, reference);
            NDArray sentence = reference.textEncoder.forward(store, new NDList(same.tokenIds()), false)
                    .singletonOrThrow();
            reference.stage1.freezeParameters(true);
            ConditionalGenerator.Generated fake = ConditionalGenerator.stage2(reference.stage1, reference.stage2)
                    .generate(store, sentence, same, true);
            float byHand = term.of(reference, store, same, fake);

            assertEquals(base.discriminator(), added.discriminator(), 1e-6f, "D's step does not change");
            assertTrue(byHand > minimum, "the term by hand: " + byHand);
            assertEquals(weight * byHand, added.generator() - base.generator(), 1e-4f * weight * byHand);
        }
    }

    @Test
    void textEncoderMatchingLossFallsOnAFixedBatch() {
        try (TinyModels models = new TinyModels(3)) {
            MatchingTrainer trainer = new MatchingTrainer(models.manager, models.textEncoder, models.imageEncoder,
                    models.training);
            int n = 8;
            NDArray tokens = models.tokens(n);
            NDArray images = models.images(n, models.config.imageEncoder().imageSize());
            NDArray classes = models.manager.arange(0L, (long) n);
            Map<String, float[]> before = TinyModels.snapshot(models.textEncoder);
            float first = trainer.step(tokens, images, classes);
            float last = first;
            for (int i = 0; i < 30; i++) {
                last = trainer.step(tokens, images, classes);
            }
            System.out.printf("matching loss on a fixed batch of %d: %.4f -> %.4f (chance %.4f)%n", n, first, last,
                    2 * Math.log(n));
            assertTrue(Float.isFinite(last));
            assertTrue(last < 0.5f * first, "loss should at least halve when overfitting one batch");
            assertEquals(before.size(), TinyModels.changed(before, TinyModels.snapshot(models.textEncoder)));
        }
    }

    @Test
    void sameClassPairsAreMaskedInTheMatchingLoss() {
        try (TinyModels models = new TinyModels(4)) {
            NDArray vectors = models.manager.randomNormal(new Shape(4, 6));
            NDArray sentences = models.manager.randomNormal(new Shape(4, 6));
            NDArray distinct = models.manager.create(new long[] {0, 1, 2, 3});
            NDArray paired = models.manager.create(new long[] {0, 0, 2, 3});
            float all = MatchingTrainer.sentenceLoss(vectors, sentences, distinct, 10f).getFloat();
            float masked = MatchingTrainer.sentenceLoss(vectors, sentences, paired, 10f).getFloat();
            assertTrue(masked < all, "masking a competitor can only lower the cross entropy: " + masked + " vs " + all);
        }
    }

    static Stream<Arguments> variants() {
        TrainingConfig base = Preset.TINY.training();
        ModelConfig model = Preset.TINY.model(TinyModels.VOCABULARY);
        return Stream.of(
                Arguments.of("generator batch norm off",
                        model.withVariants(new NetworkVariants(false, true, 0f, false, false)), base),
                Arguments.of("discriminator batch norm off",
                        model.withVariants(new NetworkVariants(true, false, 0f, false, false)), base),
                Arguments.of("discriminator dropout 0.3",
                        model.withVariants(new NetworkVariants(true, true, 0.3f, false, false)), base),
                Arguments.of("spectral norm instead of discriminator batch norm",
                        model.withVariants(new NetworkVariants(true, false, 0f, false, true)), base),
                Arguments.of("residual stage 2",
                        model.withVariants(new NetworkVariants(true, true, 0f, true, false)), base),
                Arguments.of("hinge loss", model, base.withLoss(Loss.HINGE)),
                Arguments.of("diffaugment", model, base.withAugmentations(java.util.EnumSet.allOf(
                        TrainingConfig.Augmentation.class))),
                Arguments.of("generator average", model, base.withGeneratorEma(0.9f)),
                Arguments.of("wasserstein loss", model, base.withLoss(Loss.WASSERSTEIN)),
                Arguments.of("rmsprop", model, base.withOptimizer(OptimizerKind.RMSPROP)),
                Arguments.of("learning rate x10", model, base.withLrMultiplier(10f)));
    }

    /**
     * The gradient check behind the native allocator (NativeAllocator): twenty seeds, each a few Stage-I and Stage-II
     * steps of the tiny preset, whose 4- and 8-channel maps are exactly the ones oneDNN pads, and not one update may
     * be skipped for a non-finite gradient.
     */
    @Test
    void twentySeedsTrainWithoutASkippedUpdate() {
        long skippedBefore = ParameterOptimizer.skippedInProcess();
        for (long seed = 100; seed < 120; seed++) {
            try (TinyModels models = new TinyModels(seed)) {
                GanStageTrainer stage1 = models.stage1Trainer();
                for (int i = 0; i < 3; i++) {
                    assertFiniteMath(skippedBefore, stage1.step(models.batch(models.config.stage1().imageSize())));
                }
                GanStageTrainer stage2 = models.stage2Trainer();
                for (int i = 0; i < 3; i++) {
                    assertFiniteMath(skippedBefore, stage2.step(models.batch(models.config.stage2().imageSize())));
                }
            }
        }
    }

    @Test
    void theWeightAverageMovesByOneMinusItsDecayTowardsTheLiveWeights() {
        try (TinyModels models = new TinyModels(7)) {
            Stage1Generator average = new Stage1Generator(models.config);
            average.initialize(models.manager);
            WeightAverage ema = new WeightAverage(models.stage1, average, 0.75f);
            Map<String, float[]> start = TinyModels.snapshot(average);
            assertEquals(0, TinyModels.changed(start, TinyModels.snapshot(models.stage1)), "starts as a copy");
            models.stage1Trainer().step(models.batch(models.config.stage1().imageSize()));
            Map<String, float[]> trained = TinyModels.snapshot(models.stage1);
            ema.update(1000); // past the warm-up: the decay itself
            Map<String, float[]> after = TinyModels.snapshot(average);
            int moved = 0;
            for (String name : start.keySet()) {
                float[] a = start.get(name);
                float[] live = trained.get(name);
                float[] b = after.get(name);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(0.75f * a[i] + 0.25f * live[i], b[i], 1e-6f, name + "[" + i + "]");
                }
                moved += java.util.Arrays.equals(a, b) ? 0 : 1;
            }
            assertTrue(moved > 0, "the average moved");
        }
    }

    /**
     * The trainer exports on a gRPC thread, where PyTorch's per-thread grad mode starts on: a residual Stage-II must
     * still initialize there (its zeroed correction is an in-place write), and leave the thread's grad mode as it was.
     */
    @Test
    void aResidualStage2InitializesOnAFreshThreadWithGradModeOn() throws Exception {
        ModelConfig residual = Preset.TINY.model(TinyModels.VOCABULARY)
                .withVariants(new NetworkVariants(true, true, 0f, true, false));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean gradModeAfter = new AtomicBoolean();
        Thread exporter = new Thread(() -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                JniUtils.setGradMode(true);
                new Stage2Generator(residual).initialize(manager);
                gradModeAfter.set(JniUtils.isGradMode());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        exporter.start();
        exporter.join();
        assertNull(failure.get(), () -> "initialize failed: " + failure.get());
        assertTrue(gradModeAfter.get(), "the thread's grad mode is restored");
    }

    /**
     * Untrained, a residual Stage-II is the Stage-I image interpolated linearly: input pixel p lands exactly on output
     * pixel f p + f / 2, and halfway between two input rows the output is their mean.
     */
    @Test
    void anUntrainedResidualStage2ReturnsTheLinearlyUpsampledStage1Image() {
        ModelConfig residual = Preset.TINY.model(TinyModels.VOCABULARY)
                .withVariants(new NetworkVariants(true, true, 0f, true, false));
        try (TinyModels models = new TinyModels(6, residual, Preset.TINY.training())) {
            int f = residual.stage2().imageSize() / residual.stage1().imageSize();
            int side = residual.stage1().imageSize();
            NDArray low = models.images(2, side).mul(0.9f);
            NDArray c = models.manager.randomNormal(new Shape(2, residual.conditionDim()));
            float[] high = models.stage2.forward(new ParameterStore(models.manager, false), new NDList(low, c), false)
                    .singletonOrThrow().toFloatArray();
            float[] in = low.toFloatArray();
            int big = side * f;
            for (int plane = 0; plane < 2 * 3; plane++) {
                for (int p = 1; p < side; p++) {
                    for (int q = 0; q < side; q++) {
                        float pixel = in[(plane * side + p) * side + q];
                        float above = in[(plane * side + p - 1) * side + q];
                        assertEquals(pixel, high[(plane * big + f * p + f / 2) * big + f * q + f / 2], 1e-5f);
                        assertEquals((pixel + above) / 2, high[(plane * big + f * p) * big + f * q + f / 2], 1e-5f);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyVariantTrainsBothStages(String name, ModelConfig model, TrainingConfig training) {
        long skippedBefore = ParameterOptimizer.skippedInProcess();
        try (TinyModels models = new TinyModels(5, model, training)) {
            GanStageTrainer stage1 = models.stage1Trainer();
            StepLosses losses = stage1.step(models.batch(model.stage1().imageSize()));
            assertFiniteMath(skippedBefore, losses);
            assertTrue(losses.finite(), name + ": " + losses);
            assertEquals(training.effectiveGeneratorLr(), stage1.generatorOptimizer().learningRate(), 1e-12f);
            if (training.loss() == Loss.WASSERSTEIN) {
                for (Parameter p : stage1.discriminatorOptimizer().parameters()) {
                    float[] values = p.getArray().toFloatArray();
                    for (float v : values) {
                        assertTrue(Math.abs(v) <= training.wassersteinClip() + 1e-7f, name + ": unclipped " + v);
                    }
                }
            }
            StepLosses second = models.stage2Trainer().step(models.batch(model.stage2().imageSize()));
            assertFiniteMath(skippedBefore, second);
            assertTrue(second.finite(), name + " stage 2: " + second);
            System.out.println(name + ": stage1 " + losses + ", stage2 " + second);
        }
    }

    @Test
    void savedWeightsLoadIntoAFreshNetworkWithIdenticalOutputs(@TempDir Path dir) throws IOException {
        try (TinyModels trained = new TinyModels(6); TinyModels fresh = new TinyModels(7)) {
            GanStageTrainer trainer = trained.stage1Trainer();
            trainer.step(trained.batch(trained.config.stage1().imageSize()));
            Path file = dir.resolve("stage1.params");
            NetworkFiles.save(trained.stage1, file);
            NetworkFiles.load(fresh.stage1, fresh.manager, file);
            NDArray c = trained.manager.randomNormal(new Shape(3, trained.config.conditionDim()));
            NDArray z = trained.manager.randomNormal(new Shape(3, trained.config.noiseDim()));
            float[] expected = generate(trained.stage1, trained, c, z);
            float[] actual = generate(fresh.stage1, fresh, fresh.manager.create(c.toFloatArray(), c.getShape()),
                    fresh.manager.create(z.toFloatArray(), z.getShape()));
            assertArrayEquals(expected, actual, 0f);
        }
    }

    @Test
    void restoredOptimizerStateContinuesTheSameCurve(@TempDir Path dir) throws IOException {
        long skippedBefore = ParameterOptimizer.skippedInProcess();
        try (TinyModels a = new TinyModels(8); TinyModels b = new TinyModels(9)) {
            GanStageTrainer trainerA = a.stage1Trainer();
            int size = a.config.stage1().imageSize();
            trainerA.step(a.batch(size));
            Path weightsG = dir.resolve("g"), weightsD = dir.resolve("d");
            Path optG = dir.resolve("g.opt"), optD = dir.resolve("d.opt");
            NetworkFiles.save(a.stage1, weightsG);
            NetworkFiles.save(a.stage1Discriminator, weightsD);
            NetworkFiles.writeAtomically(optG, trainerA.generatorOptimizer()::save);
            NetworkFiles.writeAtomically(optD, trainerA.discriminatorOptimizer()::save);

            GanBatch next = a.batch(size);
            StepLosses original = trainerA.step(next);

            NetworkFiles.load(b.stage1, b.manager, weightsG);
            NetworkFiles.load(b.stage1Discriminator, b.manager, weightsD);
            NetworkFiles.load(b.textEncoder, b.manager, save(a.textEncoder, dir.resolve("t")));
            GanStageTrainer trainerB = b.stage1Trainer();
            load(trainerB.generatorOptimizer(), optG);
            load(trainerB.discriminatorOptimizer(), optD);
            StepLosses resumed = trainerB.step(copy(next, b));
            assertFiniteMath(skippedBefore, original);
            assertEquals(original, resumed, "the resumed step reproduces the uninterrupted one");
            assertEquals(0, TinyModels.changed(TinyModels.snapshot(a.stage1), TinyModels.snapshot(b.stage1)));
        }
    }

    @Test
    void anUpdateWithANonFiniteGradientIsSkippedAndChangesNoWeight() {
        try (TinyModels models = new TinyModels(10)) {
            GanStageTrainer trainer = models.stage1Trainer();
            trainer.step(models.batch(models.config.stage1().imageSize())); // every gradient now exists
            ParameterOptimizer optimizer = trainer.generatorOptimizer();
            long steps = optimizer.steps();
            var before = TinyModels.snapshot(models.stage1);
            NDArray gradient = optimizer.parameters().get(0).getArray().getGradient();
            gradient.set(new NDIndex("0"), Float.NaN);

            assertFalse(optimizer.step(), "a NaN gradient must not be applied");
            assertEquals(0, TinyModels.changed(before, TinyModels.snapshot(models.stage1)));
            assertEquals(steps, optimizer.steps());
            assertEquals(1, optimizer.skippedSteps());
            assertFalse(optimizer.step());
            assertEquals(2, optimizer.skippedInARow());

            gradient.set(new NDIndex("0"), 0.5f);
            assertTrue(optimizer.step(), "finite gradients are applied");
            assertEquals(0, optimizer.skippedInARow());
            assertTrue(TinyModels.changed(before, TinyModels.snapshot(models.stage1)) > 0);
        }
    }

    /** Fails when libtorch gave a NaN since {@code skippedBefore}: a skipped update or a NaN loss. */
    private static void assertFiniteMath(long skippedBefore, StepLosses losses) {
        assertTrue(losses.finite() && ParameterOptimizer.skippedInProcess() == skippedBefore, TinyModels.NAN_SEEN);
    }

    private static Path save(ai.djl.nn.Block network, Path file) throws IOException {
        NetworkFiles.save(network, file);
        return file;
    }

    private static void load(ParameterOptimizer optimizer, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            optimizer.load(in);
        }
    }

    private static GanBatch copy(GanBatch batch, TinyModels target) {
        return new GanBatch(copy(batch.tokenIds(), target), copy(batch.realImages(), target),
                copy(batch.wrongImages(), target), copy(batch.stage1CaNoise(), target),
                copy(batch.stage2CaNoise(), target), copy(batch.z(), target), copy(batch.classIds(), target));
    }

    private static NDArray copy(NDArray array, TinyModels target) {
        NDArray duplicate = target.manager.zeros(array.getShape(), array.getDataType());
        array.copyTo(duplicate);
        return duplicate;
    }

    private static float[] generate(Stage1Generator generator, TinyModels models, NDArray c, NDArray z) {
        ParameterStore store = new ParameterStore(models.manager, false);
        return generator.forward(store, new NDList(c, z), false).singletonOrThrow().toFloatArray();
    }

    /** Batch-norm running statistics change in a forward pass without being trainable. */
    private static int runningStats(ai.djl.nn.Block network) {
        return (int) network.getParameters().values().stream().filter(p -> !p.requiresGradient()).count();
    }
}
