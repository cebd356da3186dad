package dev.stackgan.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.proto.v1.Rgb8Images;
import dev.stackgan.proto.v1.Tensor;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Generator images to 8-bit RGB PNGs: Stage-I's as float32 tensors (tanh, [-1, 1], shape [N, 3, S, S],
 * little-endian), Stage-II's as the 8-bit RGB the service converted them to ([N, S, S, 3]).
 */
public final class Pngs {

    private Pngs() {
    }

    public static List<ByteString> encode(Tensor images, PngEncoder encoder) {
        if (images.getShapeCount() != 4 || images.getShape(1) != 3) {
            throw new IllegalArgumentException("images must be [N, 3, H, W], got " + images.getShapeList());
        }
        int height = Math.toIntExact(images.getShape(2));
        int width = Math.toIntExact(images.getShape(3));
        FloatBuffer values = images.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return encodeEach(images.getShape(0), width, height, encoder,
                i -> PngEncoder.rgbFromTanh(values, i * 3 * height * width, width, height));
    }

    public static List<ByteString> encode(Rgb8Images images, PngEncoder encoder) {
        if (images.getShapeCount() != 4 || images.getShape(3) != 3) {
            throw new IllegalArgumentException("rgb images must be [N, H, W, 3], got " + images.getShapeList());
        }
        int height = Math.toIntExact(images.getShape(1));
        int width = Math.toIntExact(images.getShape(2));
        int size = 3 * height * width;
        if (images.getData().size() != images.getShape(0) * size) {
            throw new IllegalArgumentException("rgb images of shape " + images.getShapeList() + " need "
                    + images.getShape(0) * size + " bytes, got " + images.getData().size());
        }
        return encodeEach(images.getShape(0), width, height, encoder, i -> {
            byte[] rgb = new byte[size];
            images.getData().copyTo(rgb, i * size, 0, size);
            return rgb;
        });
    }

    /** PNGs of {@code n} images, image i's interleaved RGB bytes given by {@code rgb}. */
    private static List<ByteString> encodeEach(long n, int width, int height, PngEncoder encoder,
                                               IntFunction<byte[]> rgb) {
        List<ByteString> pngs = new ArrayList<>(Math.toIntExact(n));
        for (int i = 0; i < n; i++) {
            // each file is a fresh array nobody writes again: protobuf may keep it without a copy
            pngs.add(UnsafeByteOperations.unsafeWrap(encoder.encode(rgb.apply(i), width, height)));
        }
        return pngs;
    }
}
