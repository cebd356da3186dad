package dev.stackgan.evaluation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.stackgan.datasets.Crop;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.datasets.synthetic.BirdColour;
import dev.stackgan.networks.config.TrainingConfig.OptimizerKind;
import dev.stackgan.networks.model.Network;
import dev.stackgan.networks.nn.Chain;
import dev.stackgan.networks.nn.Layers;
import dev.stackgan.networks.nn.Nonlinearity;
import dev.stackgan.networks.train.ParameterOptimizer;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

/**
 * A small CNN trained on real synthetic birds to read the attributes a caption states: crown, wing and belly colour,
 * size and wing pattern. It judges generated images (does the picture show what the caption says?) and, through its
 * penultimate layer and colour softmaxes, stands in for Inception-v3 in the Inception score and the Frechet distance.
 *
 * <p>Layout: conv3x3 (8) and LeakyReLU, stride-2 4x4 convs with batch norm down to 4 x 4 (channels doubling up
 * to 32),
 * flattened (a bird's crown and belly differ by position, which pooling would lose), a 64-unit ReLU layer (the
 * features) and one linear head per attribute.
 */
public final class AttributeClassifier implements AutoCloseable {

    /** The attributes it reads, each a softmax head. */
    public enum Attribute {
        CROWN(BirdColour.values().length, a -> a.crown().ordinal()),
        WING(BirdColour.values().length, a -> a.wing().ordinal()),
        BELLY(BirdColour.values().length, a -> a.belly().ordinal()),
        SIZE(BirdAttributes.BirdSize.values().length, a -> a.size().ordinal()),
        WING_PATTERN(BirdAttributes.WingPattern.values().length, a -> a.wingPattern().ordinal());

        /** The heads whose joint distribution identifies a species (a synthetic species is its three colours). */
        public static final List<Attribute> COLOURS = List.of(CROWN, WING, BELLY);

        private final int classes;
        private final ToIntFunction<BirdAttributes> label;

        Attribute(int classes, ToIntFunction<BirdAttributes> label) {
            this.classes = classes;
            this.label = label;
        }

        public int classes() {
            return classes;
        }

        public int label(BirdAttributes attributes) {
            return label.applyAsInt(attributes);
        }

        /** Name in evaluation keys, e.g. "wing_pattern". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int FEATURES = 64;
    /** Colours and coarse shapes need few channels; a small network also learns from a few dozen birds. */
    private static final int MAX_CHANNELS = 32;
    private static final int BATCH = 32;
    private static final float LEARNING_RATE = 2e-3f;

    /**
     * What the classifier sees in a set of images.
     *
     * @param features      penultimate-layer activations [n][FEATURES]
     * @param probabilities softmax per attribute, indexed by ordinal: [attribute][n][classes]
     */
    public record Prediction(double[][] features, double[][][] probabilities) {

        public double[][] probabilities(Attribute attribute) {
            return probabilities[attribute.ordinal()];
        }

        /** Share of images whose most likely class of {@code attribute} is the true one. */
        public double accuracy(Attribute attribute, List<BirdAttributes> truth) {
            return accuracy(attribute, truth, IntStream.range(0, truth.size()).boxed().toList());
        }

        /** The same, over the images {@code indices} only. */
        public double accuracy(Attribute attribute, List<BirdAttributes> truth, List<Integer> indices) {
            double[][] p = probabilities(attribute);
            int correct = 0;
            for (int i : indices) {
                int best = 0;
                for (int c = 1; c < p[i].length; c++) {
                    best = p[i][c] > p[i][best] ? c : best;
                }
                correct += best == attribute.label(truth.get(i)) ? 1 : 0;
            }
            return (double) correct / indices.size();
        }
    }

    private final NDManager manager = NDManager.newBaseManager();
    private final int imageSize;
    private final Net network;

    /** An untrained classifier for images of side {@code imageSize} (a power of two, at least 8). */
    public AttributeClassifier(int imageSize) {
        if (imageSize < 8 || Integer.bitCount(imageSize) != 1) {
            throw new IllegalArgumentException("attribute classifier image size must be a power of two >= 8, got "
                    + imageSize);
        }
        this.imageSize = imageSize;
        network = new Net(imageSize);
        network.initialize(manager);
    }

    public int imageSize() {
        return imageSize;
    }

    /**
     * Trains on real images {@code indices} of {@code dataset} (at its first size, a multiple of this classifier's:
     * larger images are average-pooled to it), batches of 32 centre crops, each flipped at random (random crops,
     * shifting the bird by up to the load margin, left the position-sensitive network far weaker; see
     * docs/evaluation.md); deterministic for a seed.
     */
    public void train(CubDataset dataset, List<BirdAttributes> attributesByIndex, List<Integer> indices, int steps,
                      long seed) {
        int datasetSize = dataset.imageSizes()[0];
        if (datasetSize % imageSize != 0) {
            throw new IllegalArgumentException("data set image size " + datasetSize
                    + " is no multiple of the classifier's " + imageSize);
        }
        int margin = Evaluator.centreMargin(dataset);
        // PyTorch keeps grad mode per thread; the in-place optimizer updates need it off on whichever thread trains
        JniUtils.setGradMode(false);
        Random random = new Random(seed);
        ParameterOptimizer optimizer = ParameterOptimizer.create(OptimizerKind.ADAM, network, LEARNING_RATE);
        int length = 3 * imageSize * imageSize;
        ParameterStore store = new ParameterStore(manager, false);
        for (int step = 0; step < steps; step++) {
            float[] images = new float[BATCH * length];
            float[][] targets = new float[Attribute.values().length][];
            for (Attribute a : Attribute.values()) {
                targets[a.ordinal()] = new float[BATCH * a.classes()];
            }
            for (int b = 0; b < BATCH; b++) {
                int index = indices.get(random.nextInt(indices.size()));
                Crop crop = new Crop(margin, margin, random.nextBoolean());
                System.arraycopy(Evaluator.downsample(dataset.image(index, 0, crop), 1, datasetSize, imageSize), 0,
                        images, b * length, length);
                for (Attribute a : Attribute.values()) {
                    targets[a.ordinal()][b * a.classes() + a.label(attributesByIndex.get(index))] = 1f;
                }
            }
            try (NDScope ignored = new NDScope()) {
                NDArray input = manager.create(images, new Shape(BATCH, 3, imageSize, imageSize));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = network.forward(store, new NDList(input), true).get(1);
                    NDArray loss = null;
                    int offset = 0;
                    for (Attribute a : Attribute.values()) {
                        NDArray head = logits.get(":, " + offset + ":" + (offset + a.classes()));
                        NDArray target = manager.create(targets[a.ordinal()], new Shape(BATCH, a.classes()));
                        NDArray crossEntropy = head.logSoftmax(1).mul(target).sum().neg().div((float) BATCH);
                        loss = loss == null ? crossEntropy : loss.add(crossEntropy);
                        offset += a.classes();
                    }
                    optimizer.zeroGradients();
                    collector.backward(loss);
                }
                optimizer.step();
            }
        }
    }

    /** Features and per-attribute softmaxes of {@code count} images [count * 3 * S * S] in [-1, 1] (eval mode). */
    public Prediction predict(float[] images, int count) {
        try (NDManager scope = manager.newSubManager()) {
            NDList out = network.forward(new ParameterStore(scope, false),
                    new NDList(scope.create(images, new Shape(count, 3, imageSize, imageSize))), false);
            double[][] features = rows(out.get(0).toType(DataType.FLOAT64, false).toDoubleArray(), count);
            double[][][] probabilities = new double[Attribute.values().length][][];
            int offset = 0;
            for (Attribute a : Attribute.values()) {
                NDArray head = out.get(1).get(":, " + offset + ":" + (offset + a.classes())).softmax(1);
                probabilities[a.ordinal()] = rows(head.toType(DataType.FLOAT64, false).toDoubleArray(), count);
                offset += a.classes();
            }
            return new Prediction(features, probabilities);
        }
    }

    private static double[][] rows(double[] flat, int count) {
        int width = flat.length / count;
        double[][] out = new double[count][width];
        for (int i = 0; i < count; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The network: features [N, FEATURES] and the concatenated head logits [N, sum of classes]. */
    private static final class Net extends Network {
        private final int size;
        private final Chain convolutions;
        private final Chain features;
        private final Linear heads;

        Net(int size) {
            this.size = size;
            convolutions = addChildBlock("convolutions", new Chain(Layers.conv3x3(8), Nonlinearity.leakyRelu()));
            int channels = 8;
            for (int side = size; side > 4; side /= 2) {
                channels = Math.min(2 * channels, MAX_CHANNELS);
                convolutions.add(Layers.down4x4(channels));
                convolutions.add(Layers.batchNorm());
                convolutions.add(Nonlinearity.leakyRelu());
            }
            features = addChildBlock("features", new Chain(Layers.linear(FEATURES, true), Nonlinearity.relu()));
            int outputs = 0;
            for (Attribute a : Attribute.values()) {
                outputs += a.classes();
            }
            heads = addChildBlock("heads", Layers.linear(outputs, true));
        }

        @Override
        protected Shape[] inputShapes() {
            return new Shape[] {new Shape(1, 3, size, size)};
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray maps = convolutions.forward(store, inputs, training).singletonOrThrow();
            NDArray flat = maps.reshape(maps.getShape().get(0), -1);
            NDArray hidden = features.forward(store, new NDList(flat), training).singletonOrThrow();
            return new NDList(hidden, heads.forward(store, new NDList(hidden), training).singletonOrThrow());
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            convolutions.initialize(manager, dataType, inputShapes);
            Shape maps = convolutions.getOutputShapes(inputShapes)[0];
            Shape flat = new Shape(maps.get(0), maps.get(1) * maps.get(2) * maps.get(3));
            features.initialize(manager, dataType, flat);
            heads.initialize(manager, dataType, new Shape(flat.get(0), FEATURES));
        }
    }
}
