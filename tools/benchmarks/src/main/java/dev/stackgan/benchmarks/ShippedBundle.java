package dev.stackgan.benchmarks;

import ai.onnxruntime.OnnxTensor;
import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.serving.DefaultBundle;
import dev.stackgan.trainer.service.Bundles;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The trained bundle shipped in the model services' jars (serving-runtime's {@link DefaultBundle}): what a user of a
 * fresh checkout is served. Its Stage-II is heavier than the fresh {@code small} preset's, and its pictures are
 * noisier, so they cost more to compress: the serving figures are measured on it.
 */
final class ShippedBundle {

    private ShippedBundle() {
    }

    /** Copies the shipped bundle into {@code repository}, promotes it there and reads it back. */
    static ModelBundle promote(Path repository) throws IOException, BundleException {
        try (DefaultBundle shipped = DefaultBundle.shipped()) {
            Path target = Files.createDirectories(repository.resolve(shipped.bundleId()));
            try (var files = Files.list(shipped.directory())) {
                for (Path file : files.toList()) {
                    // a repository of an earlier run may hold it already
                    Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Bundles.writePointer(repository, shipped.bundleId());
            return BundleReader.read(target);
        }
    }

    /**
     * Each picture in Stage-II's {@code images} ([N, 3, S, S], tanh) as the gateway sends it: 8-bit RGB, then a PNG
     * from {@code encoder}.
     */
    static List<byte[]> pngs(OnnxTensor images, PngEncoder encoder) {
        long[] shape = images.getInfo().getShape();
        int size = Math.toIntExact(shape[3]);
        FloatBuffer planes = images.getFloatBuffer();
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < shape[0]; i++) {
            pngs.add(encoder.encode(PngEncoder.rgbFromTanh(planes, i * 3 * size * size, size, size), size, size));
        }
        return pngs;
    }

    /** One picture the shipped model draws for a random caption, as interleaved 8-bit RGB. */
    static byte[] picture(Path work, int threads) throws Exception {
        ModelBundle bundle = promote(Files.createDirectories(work.resolve("shipped-picture")));
        byte[][] rgb = new byte[1][];
        try (InProcessChain chain = new InProcessChain(bundle, threads, 1)) {
            chain.run(images -> {
                int size = Math.toIntExact(images.getInfo().getShape()[3]);
                rgb[0] = PngEncoder.rgbFromTanh(images.getFloatBuffer(), 0, size, size);
            });
        }
        return rgb[0];
    }
}
