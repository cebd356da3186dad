package dev.stackgan.datasets;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** StackGAN's image pipeline: decode, crop around the box, resize (cached), then random crop, flip and scale. */
public final class Preprocessing {

    /** The resized image before the random crop, StackGAN's int(size * 76 / 64): 76 for 64, 304 for 256. */
    public static int loadSize(int size) {
        return size * 76 / 64;
    }

    /** The image could not be decoded; the message says why. */
    static final class CorruptImageException extends Exception {
        CorruptImageException(String message) {
            super(message);
        }
    }

    private Preprocessing() {
    }

    /**
     * Decodes {@code file} fully. A decoder warning (such as a truncated JPEG, which ImageIO would otherwise fill
     * with grey) counts as corruption: a damaged image must not silently enter training.
     */
    static BufferedImage decode(Path file) throws IOException, CorruptImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new CorruptImageException("not an image format ImageIO can read");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new CorruptImageException(String.join("; ", warnings));
                }
                return image;
            } catch (IOException | RuntimeException e) {
                // ImageIO reports broken data as IIOException or as runtime exceptions from inside the codec.
                throw new CorruptImageException(e.toString());
            } finally {
                reader.dispose();
            }
        }
    }

    /** StackGAN's box crop of {@code image} resized to each of {@code loadSizes}: interleaved RGB, row-major. */
    static byte[][] cropAndResize(BufferedImage image, BoundingBox box, int[] loadSizes) {
        Rectangle crop = box.stackGanCrop(image.getWidth(), image.getHeight());
        int[] rgb = image.getRGB(crop.x, crop.y, crop.width, crop.height, null, 0, crop.width);
        byte[][] resized = new byte[loadSizes.length][];
        for (int i = 0; i < loadSizes.length; i++) {
            resized[i] = Resampler.resize(rgb, crop.width, crop.height, loadSizes[i], loadSizes[i]);
        }
        return resized;
    }

    /**
     * Cuts {@code size x size} at {@code crop} out of the resized RGB image, mirrors it if asked, and writes it CHW in
     * [-1, 1] into {@code out} from {@code offset}.
     */
    static void toChw(byte[] rgb, int loadSize, int size, Crop crop, float[] out, int offset) {
        // Channel-major loops write the output sequentially; the interleaved source is read with stride 3.
        for (int c = 0; c < 3; c++) {
            int target = offset + c * size * size;
            for (int y = 0; y < size; y++) {
                int row = ((crop.y() + y) * loadSize + crop.x()) * 3 + c;
                for (int x = 0; x < size; x++) {
                    int source = row + (crop.flip() ? size - 1 - x : x) * 3;
                    out[target++] = (rgb[source] & 0xff) / 127.5f - 1f;
                }
            }
        }
    }
}
