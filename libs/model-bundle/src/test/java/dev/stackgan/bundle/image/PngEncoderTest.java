package dev.stackgan.bundle.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void everyFilterLevelAndStrategyDecodesToTheSamePixels() throws Exception {
        int width = 37;
        int height = 23;
        byte[] rgb = new byte[3 * width * height];
        new Random(3).nextBytes(rgb);
        for (PngEncoder.Filter filter : PngEncoder.Filter.values()) {
            for (int level : new int[] {0, 1, 9}) {
                for (PngEncoder.Strategy strategy : PngEncoder.Strategy.values()) {
                    PngEncoder encoder = new PngEncoder(level, filter, strategy);
                    byte[] png = encoder.encode(rgb, width, height);
                    assertArrayEquals(rgb, decode(png, width, height), encoder.toString());
                    assertArrayEquals(png, encoder.encode(rgb, width, height), "deterministic");
                }
            }
        }
    }

    /** Huffman coding alone cannot shorten repeated strings: a striped picture stays far larger than with matching. */
    @Test
    void huffmanOnlyLeavesRepeatsUnmatched() {
        int width = 64;
        int height = 64;
        byte[] rgb = new byte[3 * width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i % 7 * 30);
        }
        int matched = new PngEncoder(1, PngEncoder.Filter.NONE, PngEncoder.Strategy.DEFAULT)
                .encode(rgb, width, height).length;
        int huffman = new PngEncoder(1, PngEncoder.Filter.NONE, PngEncoder.Strategy.HUFFMAN_ONLY)
                .encode(rgb, width, height).length;
        assertTrue(huffman > 5 * matched, "huffman-only " + huffman + " bytes, with matching " + matched);
    }

    @Test
    void strategyNamesParseAsConfigurationWritesThem() {
        assertEquals(PngEncoder.Strategy.HUFFMAN_ONLY, PngEncoder.Strategy.parse(" huffman-only"));
        assertEquals(PngEncoder.Strategy.DEFAULT, PngEncoder.Strategy.parse("DEFAULT"));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> PngEncoder.Strategy.parse("rle"));
        assertTrue(refused.getMessage().contains("'rle'"), refused.getMessage());
    }

    private static byte[] decode(byte[] png, int width, int height) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        byte[] decoded = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = image.getRGB(x, y);
                int at = 3 * (y * width + x);
                decoded[at] = (byte) (p >> 16);
                decoded[at + 1] = (byte) (p >> 8);
                decoded[at + 2] = (byte) p;
            }
        }
        return decoded;
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
