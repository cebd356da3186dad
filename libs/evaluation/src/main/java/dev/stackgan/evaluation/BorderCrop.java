package dev.stackgan.evaluation;

/**
 * Removes uniform borders before scoring. StackGAN outputs often carry a frame of near-constant colour (the white
 * padding of the training crops near the image edge), which a scorer would otherwise read as content.
 *
 * <p>Images are CHW floats in [-1, 1]. From each edge, a row or column whose every channel spans at most
 * {@link #TOLERANCE} is border and is dropped, as long as at least half the side remains; the rest is resized
 * back to the full side (bilinear), so cropped and uncropped sets are scored at the same size.
 */
public final class BorderCrop {

    /** Largest spread (max - min, per channel, in [-1, 1] units: about 10 of 255) of a uniform row or column. */
    public static final float TOLERANCE = 0.08f;

    /** The kept region: columns [left, right), rows [top, bottom). */
    public record Region(int left, int top, int right, int bottom) {
        public int width() {
            return right - left;
        }

        public int height() {
            return bottom - top;
        }
    }

    private BorderCrop() {
    }

    /** The region of image {@code index} (side {@code size}) inside its uniform border. */
    public static Region find(float[] images, int index, int size) {
        int offset = index * 3 * size * size;
        int min = size - size / 2;
        int top = 0;
        int bottom = size;
        int left = 0;
        int right = size;
        while (bottom - top > min && uniform(images, offset, size, top, left, right, true)) {
            top++;
        }
        while (bottom - top > min && uniform(images, offset, size, bottom - 1, left, right, true)) {
            bottom--;
        }
        while (right - left > min && uniform(images, offset, size, left, top, bottom, false)) {
            left++;
        }
        while (right - left > min && uniform(images, offset, size, right - 1, top, bottom, false)) {
            right--;
        }
        return new Region(left, top, right, bottom);
    }

    /** Whether row (or column) {@code line} is near-constant between {@code from} and {@code to}, every channel. */
    private static boolean uniform(float[] images, int offset, int size, int line, int from, int to, boolean row) {
        for (int c = 0; c < 3; c++) {
            float low = Float.MAX_VALUE;
            float high = -Float.MAX_VALUE;
            for (int k = from; k < to; k++) {
                int y = row ? line : k;
                int x = row ? k : line;
                float v = images[offset + (c * size + y) * size + x];
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
            if (high - low > TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    /** Every image cropped to its region and resized back to {@code size}; a new array. */
    public static float[] crop(float[] images, int count, int size) {
        float[] out = new float[images.length];
        for (int i = 0; i < count; i++) {
            Region region = find(images, i, size);
            int offset = i * 3 * size * size;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    double sy = source(y, size, region.top(), region.height());
                    int y0 = (int) Math.floor(sy);
                    int y1 = Math.min(y0 + 1, region.bottom() - 1);
                    double fy = sy - y0;
                    for (int x = 0; x < size; x++) {
                        double sx = source(x, size, region.left(), region.width());
                        int x0 = (int) Math.floor(sx);
                        int x1 = Math.min(x0 + 1, region.right() - 1);
                        double fx = sx - x0;
                        int plane = offset + c * size * size;
                        double top = images[plane + y0 * size + x0] * (1 - fx) + images[plane + y0 * size + x1] * fx;
                        double bottom = images[plane + y1 * size + x0] * (1 - fx)
                                + images[plane + y1 * size + x1] * fx;
                        out[plane + y * size + x] = (float) (top * (1 - fy) + bottom * fy);
                    }
                }
            }
        }
        return out;
    }

    /** Source coordinate of output pixel {@code i} (pixel centres aligned), clamped into the region. */
    private static double source(int i, int size, int start, int length) {
        double s = start + (i + 0.5) * length / size - 0.5;
        return Math.min(Math.max(s, start), start + length - 1);
    }
}
