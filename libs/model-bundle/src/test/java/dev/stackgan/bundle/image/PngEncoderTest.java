package dev.stackgan.bundle.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void everyFilterAndLevelDecodesToTheSamePixels() throws Exception {
        int width = 37;
        int height = 23;
        byte[] rgb = new byte[3 * width * height];
        new Random(3).nextBytes(rgb);
        for (PngEncoder.Filter filter : PngEncoder.Filter.values()) {
            for (int level : new int[] {0, 1, 9}) {
                byte[] png = new PngEncoder(level, filter).encode(rgb, width, height);
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
                assertEquals(width, image.getWidth());
                assertEquals(height, image.getHeight());
                byte[] decoded = new byte[rgb.length];
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int p = image.getRGB(x, y);
                        int at = 3 * (y * width + x);
                        decoded[at] = (byte) (p >> 16);
                        decoded[at + 1] = (byte) (p >> 8);
                        decoded[at + 2] = (byte) p;
                    }
                }
                assertArrayEquals(rgb, decoded, filter + " level " + level);
                assertArrayEquals(png, new PngEncoder(level, filter).encode(rgb, width, height), "deterministic");
            }
        }
    }

    /**
     * Planar tanh values to interleaved bytes: pixel p's channel c is round((v + 1) * 127.5) clamped to 0..255 (NaN
     * as 0, infinities clamped), read at any offset into the buffer.
     */
    @Test
    void tanhPlanesBecomeInterleavedBytesRoundedHalfUpAndClamped() {
        int width = 3;
        int height = 2;
        int plane = width * height;
        float[] values = new float[1 + 3 * plane];
        Random random = new Random(5);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.tanh(2 * random.nextGaussian());
        }
        float[] special = {-1f, 1f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f, -3f,
            -1f + 1f / 127.5f * 0.5f};
        System.arraycopy(special, 0, values, 1, special.length);
        byte[] rgb = PngEncoder.rgbFromTanh(java.nio.FloatBuffer.wrap(values), 1, width, height);
        assertEquals(3 * plane, rgb.length);
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = values[1 + c * plane + p];
                int expected = Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
                assertEquals(expected, rgb[3 * p + c] & 0xff, "pixel " + p + " channel " + c + " of " + v);
            }
        }
        // -1, 1 and 0 of the first plane: the first three pixels' red
        assertEquals(0, rgb[0] & 0xff);
        assertEquals(255, rgb[3] & 0xff);
        assertEquals(128, rgb[6] & 0xff, "127.5 rounds up");
    }
}
