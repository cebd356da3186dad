package dev.stackgan.networks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.stackgan.networks.config.TrainingConfig.Augmentation;
import java.util.Set;

/**
 * DiffAugment (Zhao et al. 2020): random colour, translation and cutout applied to every image the discriminator
 * sees, real and generated, drawn per image from the engine's seeded generator. Every transform is differentiable,
 * so G's gradient passes through it; D cannot memorize the training images, which matters on small data sets.
 * Images are in [-1, 1]; translation and cutout fill with 0 (mid grey), as the reference code fills with zeros.
 */
public final class DifferentiableAugmentation {

    /** Translation moves an image by up to this fraction of its side in each direction. */
    static final float TRANSLATION_RATIO = 0.125f;
    /** Cutout blanks a square of this fraction of the side. */
    static final float CUTOUT_RATIO = 0.5f;

    private final Set<Augmentation> transforms;

    public DifferentiableAugmentation(Set<Augmentation> transforms) {
        this.transforms = Set.copyOf(transforms);
    }

    public boolean enabled() {
        return !transforms.isEmpty();
    }

    /** {@code images} [N, 3, S, S] with each enabled transform applied, independently per image. */
    public NDArray apply(NDArray images) {
        NDArray x = images;
        if (transforms.contains(Augmentation.COLOR)) {
            x = color(x);
        }
        if (transforms.contains(Augmentation.TRANSLATION)) {
            x = translation(x);
        }
        if (transforms.contains(Augmentation.CUTOUT)) {
            x = cutout(x);
        }
        return x;
    }

    /**
     * Brightness +-0.5, saturation x[0, 2] around the pixel's grey, contrast x[0.5, 1.5] around the image mean, as
     * one affine map per image: with brightness b, saturation s, contrast k, grey g (the channel mean) and image mean
     * m, the three steps in turn give k s x + k (1 - s) g + (1 - k) m + b, since saturation keeps each pixel's grey.
     * Three passes over the full-size tensor instead of twelve: at 256 px the steps in turn took half the step.
     */
    static NDArray color(NDArray x) {
        NDManager m = x.getManager();
        Shape perImage = new Shape(x.getShape().get(0), 1, 1, 1);
        NDArray brightness = m.randomUniform(-0.5f, 0.5f, perImage);
        NDArray saturation = m.randomUniform(0f, 2f, perImage);
        NDArray contrast = m.randomUniform(0.5f, 1.5f, perImage);
        NDArray grey = x.mean(new int[] {1}, true);
        // one axis at a time: DJL's PyTorch engine reduces over a single axis only
        NDArray mean = grey.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray greyTerm = grey.mul(contrast.mul(saturation.neg().add(1f)))
                .add(mean.mul(contrast.neg().add(1f)).add(brightness));
        return x.mul(contrast.mul(saturation)).add(greyTerm);
    }

    /**
     * Shifts each image by a random whole number of pixels in each direction, filling with 0: output row i reads
     * input row i + d (a gather along the rows, then along the columns; its gradient is exact), zero where that row
     * lies outside. Shift-matrix products did the same in O(side^3) and were the largest cost of a 256 px step.
     */
    static NDArray translation(NDArray x) {
        long side = x.getShape().get(2);
        long limit = (long) (side * TRANSLATION_RATIO + 0.5f);
        NDArray rows = shifted(x, 2, side, limit, new Shape(1, 1, side, 1));
        return shifted(rows, 3, side, limit, new Shape(1, 1, 1, side));
    }

    /** {@code x} shifted along {@code axis} by a shift in [-limit, limit] drawn per image, filled with 0. */
    private static NDArray shifted(NDArray x, int axis, long side, long limit, Shape along) {
        NDManager m = x.getManager();
        NDArray shift = m.randomInteger(-limit, limit + 1, new Shape(x.getShape().get(0), 1, 1, 1), DataType.INT64);
        NDArray read = m.arange(0L, side).reshape(along).add(shift);
        NDArray inside = read.gte(0).logicalAnd(read.lt(side)).toType(DataType.FLOAT32, false);
        return x.gather(read.clip(0, side - 1).broadcast(x.getShape()), axis).mul(inside);
    }

    /** Sets a square of half the side to 0 at a random place per image (it may hang over the border). */
    static NDArray cutout(NDArray x) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        long side = x.getShape().get(2);
        long size = (long) (side * CUTOUT_RATIO + 0.5f);
        NDArray top = m.randomInteger(-size / 2, side - size / 2, new Shape(n, 1, 1, 1), DataType.INT64);
        NDArray left = m.randomInteger(-size / 2, side - size / 2, new Shape(n, 1, 1, 1), DataType.INT64);
        NDArray rows = m.arange(0L, side).reshape(1, 1, side, 1);
        NDArray columns = m.arange(0L, side).reshape(1, 1, 1, side);
        NDArray inRows = rows.gte(top).logicalAnd(rows.lt(top.add(size)));
        NDArray inColumns = columns.gte(left).logicalAnd(columns.lt(left.add(size)));
        NDArray kept = inRows.logicalAnd(inColumns).logicalNot().toType(DataType.FLOAT32, false);
        return x.mul(kept);
    }
}
