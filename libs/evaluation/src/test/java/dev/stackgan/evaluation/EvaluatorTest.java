package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.Split;
import dev.stackgan.datasets.TestData;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.train.MatchingTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation figures on real synthetic birds with the tiny preset's matching encoders. */
class EvaluatorTest {

    private static final int MATCHING_STEPS = 150;

    @TempDir
    static Path dir;
    static CubDataset dataset;
    static Vocabulary vocabulary;
    static ModelConfig config;
    static List<Integer> all;
    static List<String> captions;
    static Encoders random;
    static Encoders trained;

    /** A tiny preset's matching encoders with fresh weights, read as the trainer reads them. */
    static final class Encoders implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final TextEncoder text = new TextEncoder(config.text());
        final ImageEncoder image = new ImageEncoder(config);
        final MatchingEncoders reader;

        Encoders() {
            text.initialize(manager);
            image.initialize(manager);
            reader = new MatchingEncoders(manager, text, image, vocabulary, config, 16);
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    @BeforeAll
    static void encoders() throws IOException {
        Path birds = TestData.birds(dir.resolve("birds"), 64, 13);
        dataset = CubDataset.load(birds.resolve(CubLayout.ROOT), null, Split.CUB_IMAGE, true, 16);
        vocabulary = Vocabulary.build(dataset.allCaptions(), 1);
        config = Preset.TINY.model(vocabulary.size());
        all = IntStream.range(0, dataset.size()).boxed().toList();
        captions = all.stream().map(i -> dataset.captions(i).get(0)).toList();
        Engine.getInstance().setRandomSeed(5);
        JniUtils.setGradMode(false); // as StageRun does: this thread may not be the one that loaded the engine
        random = new Encoders();
        trained = new Encoders();
        // a fixed batch: every training image with its first caption
        MatchingTrainer trainer = new MatchingTrainer(trained.manager, trained.text, trained.image,
                Preset.TINY.training());
        long[] ids = vocabulary.tokenIds(captions, config.text().maxWords());
        try (NDManager batch = trained.manager.newSubManager()) {
            var tokens = batch.create(ids, new Shape(all.size(), config.text().maxWords()));
            var images = batch.create(real(), new Shape(all.size(), 3, 16, 16));
            var classes = batch.create(all.stream().mapToLong(dataset::classId).toArray());
            float loss = 0;
            long started = System.nanoTime();
            for (int step = 0; step < MATCHING_STEPS; step++) {
                loss = trainer.step(tokens, images, classes);
            }
            System.out.printf("matching loss after %d steps on a fixed batch: %.3f (%.1f s)%n", MATCHING_STEPS, loss,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    @AfterAll
    static void close() {
        random.close();
        trained.close();
    }

    static float[] real() {
        return Evaluator.centreCrops(dataset, all);
    }

    static RPrecision.Result rPrecision(Encoders encoders) {
        float[] images = encoders.reader.images(real(), all.size());
        float[] sentences = encoders.reader.sentences(captions);
        int[] classes = all.stream().mapToInt(dataset::classId).toArray();
        return RPrecision.compute(images, sentences, classes, sentences, classes, encoders.reader.dimension(), 4,
                new Random(1));
    }

    @Test
    void realImagesRankTheirOwnCaptionsWithTrainedEncodersAndNearChanceWithRandomOnes() {
        RPrecision.Result good = rPrecision(trained);
        RPrecision.Result chance = rPrecision(random);
        double expected = 1.0 / good.candidates();
        System.out.printf("R-precision on %d real images among %d captions: trained %.3f +- %.3f, random %.3f +- "
                + "%.3f, chance %.3f%n", good.samples(), good.candidates(), good.mean(), good.std(), chance.mean(),
                chance.std(), expected);
        assertTrue(good.mean() > 5 * expected, "trained encoders: " + good);
        assertTrue(chance.mean() < expected + 0.2, "random encoders: " + chance);
    }

    @Test
    void diversityIsZeroForIdenticalImagesAndOneForTheRealReference() {
        try (Evaluator evaluator = new Evaluator(dataset, Optional.empty(), trained.reader,
                new Evaluator.Settings(0, 10, 0, 1))) {
            float[] one = Evaluator.centreCrops(dataset, Collections.nCopies(4, 0));
            assertEquals(0, evaluator.diversity(one, 4), 1e-9);
            List<Integer> reference = Evaluator.diversityReference(dataset);
            float[] images = Evaluator.centreCrops(dataset, reference);
            assertEquals(1.0, evaluator.diversity(images, reference.size()), 1e-9);
            // measured on image-encoder features, not on pixels
            float[] others = Evaluator.centreCrops(dataset, all.subList(0, 6));
            double features = FeatureStatistics.meanPairwiseDistance(trained.reader.images(others, 6), 6)
                    / FeatureStatistics.meanPairwiseDistance(trained.reader.images(images, reference.size()),
                    reference.size());
            assertEquals(features, evaluator.diversity(others, 6), 1e-9);
            assertNotEquals(FeatureStatistics.meanPairwiseDistance(others, 6)
                    / FeatureStatistics.meanPairwiseDistance(images, reference.size()), features, 1e-6);
        }
    }

    @Test
    void classifierScoresSeparateRealFromNoiseAndSeeTheWhiteFrame() throws IOException {
        Map<Integer, BirdAttributes> truth = SyntheticAttributes.read(dir.resolve("birds").resolve(CubLayout.ROOT))
                .orElseThrow();
        try (AttributeClassifier classifier = new AttributeClassifier(16)) {
            classifier.train(dataset, all.stream().map(i -> truth.get(dataset.imageId(i))).toList(), all, 200, 3);
            int half = all.size() / 2;
            float[] real = real();
            int length = 3 * 16 * 16;
            double[][] first = classifier.predict(Arrays.copyOfRange(real, 0, half * length), half).features();
            double[][] second = classifier.predict(Arrays.copyOfRange(real, half * length, 2 * half * length), half)
                    .features();
            Random random = new Random(2);
            float[] noise = new float[half * length];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = random.nextFloat() * 2 - 1;
            }
            double halves = FeatureStatistics.frechetDistance(first, second);
            double againstNoise = FeatureStatistics.frechetDistance(first, classifier.predict(noise, half).features());
            System.out.printf("classifier-feature FID: real halves %.2f, real vs noise %.2f%n", halves, againstNoise);
            assertTrue(againstNoise > halves);

            float[] framed = real.clone();
            for (int i = 0; i < all.size(); i++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            if (x < 2 || y < 2 || x >= 14 || y >= 14) {
                                framed[i * length + (c * 16 + y) * 16 + x] = 1f;
                            }
                        }
                    }
                }
            }
            double plain = Evaluator.speciesScore(classifier.predict(framed, all.size()));
            double cropped = Evaluator.speciesScore(classifier.predict(BorderCrop.crop(framed, all.size(), 16),
                    all.size()));
            System.out.printf("species score of framed real images: %.3f uncropped, %.3f cropped%n", plain, cropped);
            assertNotEquals(plain, cropped, 1e-6);
        }
    }
}
