package dev.stackgan.gateway;

import dev.stackgan.proto.v1.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Generator output (tanh, [-1, 1], shape [N, 3, S, S], little-endian float32) to 8-bit RGB PNGs. */
public final class Pngs {

    private Pngs() {
    }

    public static List<byte[]> encode(Tensor images) {
        if (images.getShapeCount() != 4 || images.getShape(1) != 3) {
            throw new IllegalArgumentException("images must be [N, 3, H, W], got " + images.getShapeList());
        }
        int n = Math.toIntExact(images.getShape(0));
        int height = Math.toIntExact(images.getShape(2));
        int width = Math.toIntExact(images.getShape(3));
        FloatBuffer values = images.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int plane = height * width;
        List<byte[]> pngs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                int r = toByte(values.get(base + p));
                int g = toByte(values.get(base + plane + p));
                int b = toByte(values.get(base + 2 * plane + p));
                image.setRGB(p % width, p / width, (r << 16) | (g << 8) | b);
            }
            pngs.add(write(image));
        }
        return pngs;
    }

    private static int toByte(float value) {
        return Math.max(0, Math.min(255, Math.round((value + 1f) * 127.5f)));
    }

    private static byte[] write(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
