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
}
