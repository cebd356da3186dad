package dev.stackgan.datasets;

/**
 * Separable resize with a triangle filter whose support grows with the shrink factor (like PIL's bilinear), so a
 * 500 px crop shrunk to 76 px averages all its pixels instead of aliasing.
 */
final class Resampler {

    /** For each output coordinate: the first input index and the weights of the inputs from there. */
    private record Kernel(int[] first, float[][] weights) {

        static Kernel of(int in, int out) {
            double scale = (double) in / out;
            double support = Math.max(1, scale);
            int[] first = new int[out];
            float[][] weights = new float[out][];
            for (int o = 0; o < out; o++) {
                double centre = (o + 0.5) * scale;
                int from = Math.max(0, (int) Math.floor(centre - support));
                int to = Math.min(in, (int) Math.ceil(centre + support));
                float[] w = new float[to - from];
                double sum = 0;
                for (int i = from; i < to; i++) {
                    w[i - from] = (float) Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
                    sum += w[i - from];
                }
                for (int k = 0; k < w.length; k++) {
                    w[k] /= (float) sum;
                }
                first[o] = from;
                weights[o] = w;
            }
            return new Kernel(first, weights);
        }
    }

    private Resampler() {
    }

    /** Resizes packed RGB pixels ({@code 0xRRGGBB}, row-major {@code width x height}) to interleaved RGB bytes. */
    static byte[] resize(int[] rgb, int width, int height, int outWidth, int outHeight) {
        Kernel horizontal = Kernel.of(width, outWidth);
        Kernel vertical = Kernel.of(height, outHeight);
        float[] rows = new float[height * outWidth * 3];
        for (int y = 0; y < height; y++) {
            for (int o = 0; o < outWidth; o++) {
                float r = 0;
                float g = 0;
                float b = 0;
                float[] w = horizontal.weights()[o];
                int base = y * width + horizontal.first()[o];
                for (int k = 0; k < w.length; k++) {
                    int p = rgb[base + k];
                    r += w[k] * ((p >> 16) & 0xff);
                    g += w[k] * ((p >> 8) & 0xff);
                    b += w[k] * (p & 0xff);
                }
                int at = (y * outWidth + o) * 3;
                rows[at] = r;
                rows[at + 1] = g;
                rows[at + 2] = b;
            }
        }
        byte[] out = new byte[outWidth * outHeight * 3];
        int rowLength = outWidth * 3;
        for (int o = 0; o < outHeight; o++) {
            float[] w = vertical.weights()[o];
            int first = vertical.first()[o];
            for (int x = 0; x < rowLength; x++) {
                float v = 0;
                for (int k = 0; k < w.length; k++) {
                    v += w[k] * rows[(first + k) * rowLength + x];
                }
                out[o * rowLength + x] = (byte) Math.min(255, Math.max(0, Math.round(v)));
            }
        }
        return out;
    }
}
