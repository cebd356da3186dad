package dev.stackgan.benchmarks;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.serving.DefaultBundle;
import dev.stackgan.trainer.service.Bundles;
import java.io.IOException;
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

    /** One picture the shipped model draws for a random caption, as interleaved 8-bit RGB. */
    static byte[] picture(Path work, int threads) throws Exception {
        ModelBundle bundle = promote(Files.createDirectories(work.resolve("shipped-picture")));
        List<byte[]> rgb = new ArrayList<>();
        try (InProcessChain chain = new InProcessChain(bundle, threads, 1)) {
            chain.run(images -> rgb.addAll(InProcessChain.rgb(images)));
        }
        return rgb.get(0);
    }
}
