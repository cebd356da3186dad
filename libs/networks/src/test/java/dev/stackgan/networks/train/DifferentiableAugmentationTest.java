package dev.stackgan.networks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.stackgan.networks.TinyModels;
import dev.stackgan.networks.model.Stage1Generator;
import org.junit.jupiter.api.Test;

class DifferentiableAugmentationTest {

    private static final int N = 6;
    private static final int SIDE = 16;

    /** Distinct non-zero pixel values, so a shifted copy can only match one shift. */
    private static NDArray distinctImages(NDManager manager) {
        return manager.arange(1f, 1f + N * 3 * SIDE * SIDE).reshape(N, 3, SIDE, SIDE).div(1000f);
    }

    @Test
    void translationShiftsEachImageByWholePixelsWithinTheLimitFillingZeros() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray x = distinctImages(manager);
            NDArray moved = DifferentiableAugmentation.translation(x);
            int limit = Math.round(SIDE * DifferentiableAugmentation.TRANSLATION_RATIO);
            float[] in = x.toFloatArray();
            float[] out = moved.toFloatArray();
            int shifted = 0;
            for (int n = 0; n < N; n++) {
                int[] found = findShift(in, out, n, limit);
                assertTrue(found != null, "image " + n + " is the input moved by at most " + limit + " pixels");
                shifted += found[0] != 0 || found[1] != 0 ? 1 : 0;
            }
            assertTrue(shifted > 0, "some image actually moved");
        }
    }

    /** The (dy, dx) with out[y][x] = in[y + dy][x + dx] (0 outside) for every pixel, or null. */
    private static int[] findShift(float[] in, float[] out, int n, int limit) {
        for (int dy = -limit; dy <= limit; dy++) {
            for (int dx = -limit; dx <= limit; dx++) {
                boolean match = true;
                for (int c = 0; c < 3 && match; c++) {
                    for (int y = 0; y < SIDE && match; y++) {
                        for (int xx = 0; xx < SIDE && match; xx++) {
                            int sy = y + dy;
                            int sx = xx + dx;
                            float expected = sy < 0 || sy >= SIDE || sx < 0 || sx >= SIDE ? 0f
                                    : in[((n * 3 + c) * SIDE + sy) * SIDE + sx];
                            match = Math.abs(out[((n * 3 + c) * SIDE + y) * SIDE + xx] - expected) < 1e-6f;
                        }
                    }
                }
                if (match) {
                    return new int[] {dy, dx};
                }
            }
        }
        return null;
    }

    @Test
    void cutoutZeroesAtMostAHalfSideSquareAndKeepsEveryOtherPixel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            NDArray x = distinctImages(manager);
            float[] in = x.toFloatArray();
            float[] out = DifferentiableAugmentation.cutout(x).toFloatArray();
            int size = SIDE / 2;
            for (int n = 0; n < N; n++) {
                int zeroed = 0;
                for (int i = n * 3 * SIDE * SIDE; i < (n + 1) * 3 * SIDE * SIDE; i++) {
                    if (out[i] == 0f) {
                        zeroed++;
                    } else {
                        assertEquals(in[i], out[i], 0f);
                    }
                }
                assertTrue(zeroed > 0 && zeroed <= 3 * size * size && zeroed % 3 == 0,
                        "image " + n + ": " + zeroed + " zeroed values, at most a " + size + " px square per channel");
            }
        }
    }

    @Test
    void colorMovesEachImageDifferentlyAndKeepsItsShape() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray x = manager.randomUniform(-1f, 1f, new Shape(N, 3, SIDE, SIDE));
            NDArray shift = DifferentiableAugmentation.color(x).sub(x).mean(new int[] {3}).mean(new int[] {2})
                    .mean(new int[] {1});
            float[] perImage = shift.toFloatArray();
            assertEquals(N, perImage.length);
            assertTrue(Math.abs(perImage[0] - perImage[1]) > 1e-3f, "independent draws per image");
            for (float v : perImage) {
                assertTrue(Math.abs(v) <= 0.5f + 1e-5f, "brightness moves the mean by at most 0.5: " + v);
            }
        }
    }

    /** The one affine map equals brightness, saturation around the grey and contrast around the mean in turn. */
    @Test
    void colorIsBrightnessThenSaturationThenContrast() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomUniform(-1f, 1f, new Shape(N, 3, SIDE, SIDE));
            Engine.getInstance().setRandomSeed(11);
            NDArray fused = DifferentiableAugmentation.color(x);
            Engine.getInstance().setRandomSeed(11);
            Shape perImage = new Shape(N, 1, 1, 1);
            NDArray bright = x.add(manager.randomUniform(-0.5f, 0.5f, perImage));
            NDArray grey = bright.mean(new int[] {1}, true);
            NDArray saturated = bright.sub(grey).mul(manager.randomUniform(0f, 2f, perImage)).add(grey);
            NDArray mean = saturated.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {1}, true);
            NDArray expected = saturated.sub(mean).mul(manager.randomUniform(0.5f, 1.5f, perImage)).add(mean);
            float error = fused.sub(expected).abs().max().getFloat();
            assertTrue(error < 1e-5f, "largest difference " + error);
        }
    }

    @Test
    void gradientsReachTheGeneratorThroughEveryTransform() {
        try (TinyModels models = new TinyModels(9)) {
            Stage1Generator generator = models.stage1;
            NDArray c = models.manager.randomNormal(new Shape(4, models.config.conditionDim()));
            NDArray z = models.manager.randomNormal(new Shape(4, models.config.noiseDim()));
            DifferentiableAugmentation augmentation = new DifferentiableAugmentation(java.util.EnumSet.allOf(
                    dev.stackgan.networks.config.TrainingConfig.Augmentation.class));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray image = generator.forward(new ai.djl.training.ParameterStore(models.manager, false),
                        new ai.djl.ndarray.NDList(c, z), true).singletonOrThrow();
                collector.backward(augmentation.apply(image).square().sum());
            }
            // the body's fully connected layer comes first after the CA head, which c bypasses here
            Parameter first = generator.getParameters().stream().filter(p -> p.getKey().startsWith("02body"))
                    .findFirst().orElseThrow().getValue();
            assertTrue(first.getArray().getGradient().abs().sum().getFloat() > 0,
                    "non-zero gradient at the generator's first layer " + first.getName());
        }
    }
}
