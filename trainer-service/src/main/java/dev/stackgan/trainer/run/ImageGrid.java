package dev.stackgan.trainer.run;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Lays out N x 3 x S x S images in [-1, 1] as a PNG grid, for the sample sheet saved with each checkpoint. */
public final class ImageGrid {

    private ImageGrid() {
    }

    static byte[] png(float[] images, int count, int size, int columns) {
        int rows = (count + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(columns * size, rows * size, BufferedImage.TYPE_INT_RGB);
        for (int n = 0; n < count; n++) {
            grid.getGraphics().drawImage(image(images, n, size), (n % columns) * size, (n / columns) * size, null);
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(grid, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Image {@code index} of N x 3 x S x S images in [-1, 1] as RGB. */
    public static BufferedImage image(float[] images, int index, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        int base = index * 3 * plane;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = base + y * size + x;
                image.setRGB(x, y, (channel(images[i]) << 16) | (channel(images[i + plane]) << 8)
                        | channel(images[i + 2 * plane]));
            }
        }
        return image;
    }

    private static int channel(float value) {
        return Math.round(Math.max(0f, Math.min(1f, (value + 1f) / 2f)) * 255f);
    }
}
