package dev.stackgan.evaluation;

import dev.stackgan.datasets.Crop;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.Preprocessing;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.evaluation.AttributeClassifier.Attribute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Scores a generator at a checkpoint: R-precision, diversity in the image encoder's feature space, and on synthetic
 * birds caption fidelity per attribute, an Inception-style score and a Frechet distance with the project's own
 * attribute classifier (each with and without cropping uniform borders). Everything that does not depend on the
 * generator (the sampled captions and their sentence vectors, the candidate pool, the real references, the trained
 * classifier) is prepared once, so a checkpoint pays only for generating and scoring its images.
 *
 * <p>Keys of {@link #evaluate} (absent ones were not measurable on this data set):
 * <ul>
 * <li>{@code diversity}: mean pairwise image-encoder distance of {@value #DIVERSITY_SAMPLES} images of one caption
 *     over different noise, divided by the same figure for real images of one class (1: as diverse as real birds)
 * <li>{@code r_precision}, {@code r_precision_std}, {@code r_precision_folds}, {@code r_precision_candidates},
 *     {@code r_precision_samples}: see {@link RPrecision}
 * <li>{@code fidelity_<attribute>}: the classifier's accuracy on generated images against the attributes of the
 *     image whose caption was used (synthetic captions never contradict them); {@code fidelity_<attribute>_real}
 *     on held-out real images, {@code fidelity_<attribute>_chance} = 1 / classes
 * <li>{@code fidelity_<colour>_stated}, {@code fidelity_<colour>_stated_samples} for crown, wing and belly: the same
 *     accuracy over the images whose caption states that colour ({@link StatedColours}; a caption names only some
 *     parts, and an unstated colour can only be guessed), and how many they were (not finite when none)
 * <li>{@code inception_score}, {@code inception_score_cropped}: exp(E KL(p(y|x) || p(y))) with y the joint of the
 *     crown, wing and belly colour heads (a synthetic species is exactly those three colours), i.e. the product of
 *     the three heads' scores
 * <li>{@code frechet_distance}, {@code frechet_distance_cropped}: between the classifier features of the generated
 *     images and of the real images whose captions were used
 * </ul>
 */
public final class Evaluator implements AutoCloseable {

    public static final int DIVERSITY_SAMPLES = 8;
    /** Every this-many-th data set image is held out of the classifier's training to measure it on real images. */
    private static final int HOLD_OUT_EVERY = 5;
    /**
     * The attribute classifier reads images of at most this side; larger ones (Stage-II) are average-pooled to it
     * first: the flat plumage colours survive pooling, and the classifier stays cheap.
     */
    public static final int CLASSIFIER_SIZE = 64;

    /**
     * @param samples         generated images per evaluation (R-precision, fidelity, IS, FID); 0 measures diversity only
     * @param folds           R-precision folds (capped at {@code samples})
     * @param classifierSteps training steps of the attribute classifier
     */
    public record Settings(int samples, int folds, int classifierSteps, long seed) {
        public static final int DEFAULT_SAMPLES = 16;
        public static final int DEFAULT_FOLDS = 10;
        public static final int DEFAULT_CLASSIFIER_STEPS = 800;

        /** Returns {@code samples} if it is 0 (diversity only) or in [2, MAX_SAMPLES]. */
        public static int checkSamples(int samples) {
            if (samples != 0 && (samples < 2 || samples > MAX_SAMPLES)) {
                throw new IllegalArgumentException("evaluationSamples must be 0 (diversity only) or between 2 and "
                        + MAX_SAMPLES + ", got " + samples);
            }
            return samples;
        }

        /** Evaluation at every checkpoint must stay cheap next to training. */
        public static final int MAX_SAMPLES = 1000;

        public Settings {
            checkSamples(samples);
            if (folds < 1) {
                throw new IllegalArgumentException("R-precision folds must be >= 1, got " + folds);
            }
        }
    }

    /** Draws images for captions: {@code draws[i]} picks the noise of image i; CHW in [-1, 1] at the stage's size. */
    public interface Generator {
        float[] generate(List<String> captions, int[] draws);
    }

    /** The matching encoders of the run (frozen): sentence vectors, and image vectors of images at the stage size. */
    public interface Encoders {
        float[] sentences(List<String> captions);

        float[] images(float[] images, int count);

        int dimension();
    }

    private final Settings settings;
    private final Encoders encoders;
    private final int imageSize;
    private final int classifierSize;
    private final String diversityCaption;
    private final List<String> captions = new ArrayList<>();
    private final int[] classes;
    private final List<BirdAttributes> truth;
    /** Per colour attribute, the sampled captions that state it. */
    private final Map<Attribute, List<Integer>> stating = new LinkedHashMap<>();
    private final float[] captionVectors;
    private final float[] pool;
    private final int[] poolClasses;
    private final double realDiversity;
    private final AttributeClassifier classifier;
    private final Map<Attribute, Double> realAccuracy = new LinkedHashMap<>();
    private final double[][] realFeatures;
    private final double[][] realFeaturesCropped;

    /**
     * @param dataset    the run's images at its stage size (first size)
     * @param attributes true attributes by image id, when the data set is synthetic
     */
    public Evaluator(CubDataset dataset, Optional<Map<Integer, BirdAttributes>> attributes, Encoders encoders,
                     Settings settings) {
        this.settings = settings;
        this.encoders = encoders;
        this.imageSize = dataset.imageSizes()[0];
        this.classifierSize = Math.min(CLASSIFIER_SIZE, imageSize);
        Random random = new Random(settings.seed());
        List<Integer> order = IntStream.range(0, dataset.size()).boxed().collect(java.util.stream.Collectors
                .toCollection(ArrayList::new));
        Collections.shuffle(order, random);
        diversityCaption = randomCaption(dataset, order.get(0), random);
        List<Integer> chosen = order.subList(0, Math.min(settings.samples(), order.size()));
        classes = chosen.stream().mapToInt(dataset::classId).toArray();
        for (int index : chosen) {
            captions.add(randomCaption(dataset, index, random));
        }
        for (Attribute a : Attribute.COLOURS) {
            stating.put(a, IntStream.range(0, captions.size())
                    .filter(i -> StatedColours.of(captions.get(i)).containsKey(a)).boxed().toList());
        }
        captionVectors = captions.isEmpty() ? new float[0] : encoders.sentences(captions);
        List<String> poolCaptions = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            poolCaptions.add(randomCaption(dataset, i, random));
        }
        pool = settings.samples() == 0 ? new float[0] : encoders.sentences(poolCaptions);
        poolClasses = IntStream.range(0, dataset.size()).map(dataset::classId).toArray();
        List<Integer> reference = diversityReference(dataset);
        realDiversity = FeatureStatistics.meanPairwiseDistance(
                encoders.images(centreCrops(dataset, reference), reference.size()), reference.size());

        if (attributes.isPresent() && settings.samples() > 0) {
            Map<Integer, BirdAttributes> byId = attributes.get();
            List<BirdAttributes> all = IntStream.range(0, dataset.size())
                    .mapToObj(i -> byId.get(dataset.imageId(i))).toList();
            truth = chosen.stream().map(all::get).toList();
            List<Integer> heldOut = IntStream.range(0, dataset.size()).filter(i -> i % HOLD_OUT_EVERY == 0).boxed()
                    .toList();
            List<Integer> trainOn = IntStream.range(0, dataset.size()).filter(i -> i % HOLD_OUT_EVERY != 0).boxed()
                    .toList();
            classifier = new AttributeClassifier(classifierSize);
            classifier.train(dataset, all, trainOn, settings.classifierSteps(), settings.seed());
            AttributeClassifier.Prediction held = classify(centreCrops(dataset, heldOut), heldOut.size());
            List<BirdAttributes> heldTruth = heldOut.stream().map(all::get).toList();
            for (Attribute a : Attribute.values()) {
                realAccuracy.put(a, held.accuracy(a, heldTruth));
            }
            float[] real = centreCrops(dataset, chosen);
            realFeatures = classify(real, chosen.size()).features();
            realFeaturesCropped = classify(BorderCrop.crop(real, chosen.size(), imageSize), chosen.size()).features();
        } else {
            truth = List.of();
            classifier = null;
            realFeatures = null;
            realFeaturesCropped = null;
        }
    }

    private static String randomCaption(CubDataset dataset, int index, Random random) {
        List<String> all = dataset.captions(index);
        return all.get(random.nextInt(all.size()));
    }

    /**
     * Real images of one class: the class with the most images (up to {@value #DIVERSITY_SAMPLES}; ties to the
     * class seen first); when no class has two, the first {@value #DIVERSITY_SAMPLES} images of any class.
     */
    static List<Integer> diversityReference(CubDataset dataset) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < dataset.size(); i++) {
            byClass.computeIfAbsent(dataset.classId(i), k -> new ArrayList<>()).add(i);
        }
        List<Integer> largest = List.of();
        for (List<Integer> images : byClass.values()) {
            largest = images.size() > largest.size() ? images : largest;
        }
        List<Integer> reference = largest.size() >= 2 ? largest : IntStream.range(0, dataset.size()).boxed().toList();
        return reference.subList(0, Math.min(DIVERSITY_SAMPLES, reference.size()));
    }

    /** The offset of the centre crop, at the data set's largest size. */
    static int centreMargin(CubDataset dataset) {
        int largest = java.util.Arrays.stream(dataset.imageSizes()).max().orElseThrow();
        return (Preprocessing.loadSize(largest) - largest) / 2;
    }

    /** The centre crop (no flip) of each image, as one flat array at the data set's first size. */
    public static float[] centreCrops(CubDataset dataset, List<Integer> indices) {
        int size = dataset.imageSizes()[0];
        int margin = centreMargin(dataset);
        Crop centre = new Crop(margin, margin, false);
        int length = 3 * size * size;
        float[] out = new float[indices.size() * length];
        for (int i = 0; i < indices.size(); i++) {
            System.arraycopy(dataset.image(indices.get(i), 0, centre), 0, out, i * length, length);
        }
        return out;
    }

    /** Diversity of {@code images} ({@code count} of one caption) in feature space, relative to the real figure. */
    public double diversity(float[] images, int count) {
        return FeatureStatistics.meanPairwiseDistance(encoders.images(images, count), count) / realDiversity;
    }

    /** Every figure for the generator's current weights. */
    public Map<String, Double> evaluate(Generator generator) {
        Map<String, Double> figures = new LinkedHashMap<>();
        float[] sameCaption = generator.generate(Collections.nCopies(DIVERSITY_SAMPLES, diversityCaption),
                IntStream.range(0, DIVERSITY_SAMPLES).toArray());
        figures.put("diversity", diversity(sameCaption, DIVERSITY_SAMPLES));
        if (captions.isEmpty()) {
            return figures;
        }
        int n = captions.size();
        float[] generated = generator.generate(captions, IntStream.range(0, n).toArray());
        RPrecision.Result r = RPrecision.compute(encoders.images(generated, n), captionVectors, classes, pool,
                poolClasses, encoders.dimension(), settings.folds(), new Random(settings.seed()));
        figures.put("r_precision", r.mean());
        figures.put("r_precision_std", r.std());
        figures.put("r_precision_folds", (double) r.folds());
        figures.put("r_precision_candidates", (double) r.candidates());
        figures.put("r_precision_samples", (double) r.samples());
        if (classifier != null) {
            AttributeClassifier.Prediction plain = classify(generated, n);
            AttributeClassifier.Prediction cropped = classify(BorderCrop.crop(generated, n, imageSize), n);
            for (Attribute a : Attribute.values()) {
                figures.put("fidelity_" + a.key(), plain.accuracy(a, truth));
                figures.put("fidelity_" + a.key() + "_real", realAccuracy.get(a));
                figures.put("fidelity_" + a.key() + "_chance", 1.0 / a.classes());
            }
            stating.forEach((a, indices) -> {
                // not finite (stored as null) when no sampled caption states the colour, so every evaluation has
                // the same keys
                figures.put("fidelity_" + a.key() + "_stated",
                        indices.isEmpty() ? Double.NaN : plain.accuracy(a, truth, indices));
                figures.put("fidelity_" + a.key() + "_stated_samples", (double) indices.size());
            });
            figures.put("inception_score", speciesScore(plain));
            figures.put("inception_score_cropped", speciesScore(cropped));
            figures.put("frechet_distance", FeatureStatistics.frechetDistance(plain.features(), realFeatures));
            figures.put("frechet_distance_cropped",
                    FeatureStatistics.frechetDistance(cropped.features(), realFeaturesCropped));
        }
        return figures;
    }

    /** The classifier's reading of {@code count} images at the stage size, pooled to the classifier's. */
    private AttributeClassifier.Prediction classify(float[] images, int count) {
        return classifier.predict(downsample(images, count, imageSize, classifierSize), count);
    }

    /** The Inception-style score of the joint colour distribution: the product of the colour heads' scores. */
    static double speciesScore(AttributeClassifier.Prediction prediction) {
        double score = 1;
        for (Attribute a : Attribute.COLOURS) {
            score *= FeatureStatistics.inceptionScore(prediction.probabilities(a));
        }
        return score;
    }

    /**
     * Average-pools images of side {@code size} down to {@code target} (both powers of two): the image encoder
     * reads Stage-I's size and the attribute classifier at most {@link #CLASSIFIER_SIZE}; Stage-II images are larger.
     */
    public static float[] downsample(float[] images, int count, int size, int target) {
        if (size == target) {
            return images;
        }
        if (size % target != 0) {
            throw new IllegalArgumentException("cannot pool " + size + " px images to " + target + " px");
        }
        int f = size / target;
        float[] out = new float[count * 3 * target * target];
        for (int plane = 0; plane < count * 3; plane++) {
            for (int y = 0; y < target; y++) {
                for (int x = 0; x < target; x++) {
                    float sum = 0;
                    for (int dy = 0; dy < f; dy++) {
                        for (int dx = 0; dx < f; dx++) {
                            sum += images[(plane * size + y * f + dy) * size + x * f + dx];
                        }
                    }
                    out[(plane * target + y) * target + x] = sum / (f * f);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
        }
    }
}
