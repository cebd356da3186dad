package dev.stackgan.networks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class SpectralNormConvTest {

    @Test
    void afterSomeTrainingPassesTheWeightIsDividedByItsLargestSingularValue() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(21);
            Conv2d conv = Layers.conv3x3(8);
            SpectralNormConv normalised = new SpectralNormConv(conv);
            Shape input = new Shape(2, 4, 8, 8);
            normalised.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(input);
            ParameterStore store = new ParameterStore(manager, false);
            for (int i = 0; i < 40; i++) {
                normalised.forward(store, new NDList(x), true);
            }
            NDArray weight = conv.getParameters().get("weight").getArray();
            float sigma = largestSingularValue(weight.reshape(8, -1));
            assertTrue(sigma > 1.1f, "the raw weight is not already normalised: " + sigma);
            NDArray expected = Conv2d.conv2d(x, weight.div(sigma), null, conv.getStride(), conv.getPadding(),
                    conv.getDilation(), 1).singletonOrThrow();
            NDArray actual = normalised.forward(store, new NDList(x), false).singletonOrThrow();
            assertEquals(0f, actual.sub(expected).abs().max().getFloat(), 1e-3f);
        }
    }

    /** Power iteration on W^T W to convergence, independent of the block's one step per pass. */
    private static float largestSingularValue(NDArray matrix) {
        NDArray v = matrix.getManager().ones(new Shape(matrix.getShape().get(1), 1));
        for (int i = 0; i < 500; i++) {
            v = matrix.transpose().matMul(matrix.matMul(v));
            v = v.div(v.norm());
        }
        return matrix.matMul(v).norm().getFloat();
    }
}
