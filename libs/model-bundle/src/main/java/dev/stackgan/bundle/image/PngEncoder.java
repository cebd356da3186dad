package dev.stackgan.bundle.image;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A plain 8-bit RGB PNG writer with a chosen zlib level and strategy and one row filter for every row. ImageIO's PNG
 * writer tries all five filters on every row and compresses harder; for 256 px pictures served one per request that
 * costs milliseconds and saves little (docs/benchmarks.md, Tuning). The same pixels always give the same bytes.
 *
 * @param compressionLevel zlib level, 0 (store) to 9 (smallest)
 * @param filter           the PNG row filter applied to every row
 * @param strategy         how zlib compresses the filtered rows
 */
public record PngEncoder(int compressionLevel, Filter filter, Strategy strategy) {

    /** PNG row filters (type byte as in the PNG specification); Paeth and adaptive choice are left out. */
    public enum Filter {
        NONE, SUB, UP;

        public static Filter parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PNG filter is '" + name + "'; use none, sub or up", e);
            }
        }
    }

    /**
     * zlib's strategies, as {@link Deflater} names them. A generator's pictures are noisy: after the Sub filter
     * zlib finds few repeated strings in them, so Huffman coding alone gives smaller files than level 1's string
     * matching, in two thirds of its time (docs/benchmarks.md, Tuning).
     */
    public enum Strategy {
        DEFAULT(Deflater.DEFAULT_STRATEGY), FILTERED(Deflater.FILTERED), HUFFMAN_ONLY(Deflater.HUFFMAN_ONLY);

        private final int zlib;

        Strategy(int zlib) {
            this.zlib = zlib;
        }

        public static Strategy parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PNG deflate strategy is '" + name
                        + "'; use default, filtered or huffman-only", e);
            }
        }
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public PngEncoder {
        if (compressionLevel < 0 || compressionLevel > 9) {
            throw new IllegalArgumentException("PNG compression level must be 0 to 9, got " + compressionLevel);
        }
    }

    /** zlib's default strategy. */
    public PngEncoder(int compressionLevel, Filter filter) {
        this(compressionLevel, filter, Strategy.DEFAULT);
    }

    /**
     * Interleaved 8-bit RGB of one generator image: {@code planes} holds it planar (channel, row, column) from
     * {@code offset}, values in [-1, 1] (tanh), mapped to round((v + 1) * 127.5) clamped to 0..255.
     */
    public static byte[] rgbFromTanh(FloatBuffer planes, int offset, int width, int height) {
        int plane = width * height;
        byte[] rgb = new byte[3 * plane];
        // one plane after the other, read in order: Stage-II's service converts every 256 px image it answers on
        // its batcher thread (0.47 ms against 0.55 ms reading the three planes in turn per pixel, quiet machine)
        for (int c = 0; c < 3; c++) {
            int from = offset + c * plane;
            for (int p = 0, to = c; p < plane; p++, to += 3) {
                int v = Math.round((planes.get(from + p) + 1f) * 127.5f);
                rgb[to] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
        return rgb;
    }

    /** {@code rgb}: height rows of width pixels, three bytes (R, G, B) each. */
    public byte[] encode(byte[] rgb, int width, int height) {
        int stride = 3 * width;
        if (width < 1 || height < 1 || rgb.length != stride * height) {
            throw new IllegalArgumentException("need " + width + " x " + height + " x 3 bytes, got " + rgb.length);
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(rgb.length / 2 + 64);
        Deflater deflater = new Deflater(compressionLevel);
        deflater.setStrategy(strategy.zlib);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
            byte[] row = new byte[1 + stride];
            row[0] = (byte) filter.ordinal();
            for (int y = 0; y < height; y++) {
                int at = y * stride;
                for (int i = 0; i < stride; i++) {
                    int left = filter == Filter.SUB && i >= 3 ? rgb[at + i - 3] : 0;
                    int up = filter == Filter.UP && y > 0 ? rgb[at - stride + i] : 0;
                    row[1 + i] = (byte) (rgb[at + i] - left - up);
                }
                zlib.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(compressed.size() + 64);
        png.writeBytes(SIGNATURE);
        ByteArrayOutputStream header = new ByteArrayOutputStream(13);
        DataOutputStream ihdr = new DataOutputStream(header);
        try {
            ihdr.writeInt(width);
            ihdr.writeInt(height);
            ihdr.write(new byte[] {8, 2, 0, 0, 0}); // 8 bits, truecolour, deflate, adaptive-filter method, no interlace
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chunk(png, "IHDR", header.toByteArray());
        chunk(png, "IDAT", compressed.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        writeInt(out, data.length);
        out.writeBytes(name);
        out.writeBytes(data);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
