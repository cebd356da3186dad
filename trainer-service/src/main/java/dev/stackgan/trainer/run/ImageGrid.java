package dev.stackgan.trainer.run;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Lays out N x 3 x S x S images in [-1, 1] as a PNG grid, for the sample sheet saved with each checkpoint. */
final class ImageGrid {

    private ImageGrid() {
    }

    static byte[] png(float[] images, int count, int size, int columns) {
        int rows = (count + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(columns * size, rows * size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int n = 0; n < count; n++) {
            int x0 = (n % columns) * size;
            int y0 = (n / columns) * size;
            int base = n * 3 * plane;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int i = base + y * size + x;
                    int rgb = (channel(images[i]) << 16) | (channel(images[i + plane]) << 8)
                            | channel(images[i + 2 * plane]);
                    grid.setRGB(x0 + x, y0 + y, rgb);
                }
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(grid, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int channel(float value) {
        return Math.round(Math.max(0f, Math.min(1f, (value + 1f) / 2f)) * 255f);
    }
}
