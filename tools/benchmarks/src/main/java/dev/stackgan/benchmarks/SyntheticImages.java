package dev.stackgan.benchmarks;

import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.synthetic.SyntheticBirds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small synthetic-birds data set for the benchmarks that need real pictures, generated once per work folder. */
final class SyntheticImages {

    /** Images generated: enough for a few training batches of 64 after the class split. */
    static final int COUNT = 400;

    private SyntheticImages() {
    }

    /** The data set folder (holding {@code CUB_200_2011/}), generated at CUB's mean image size if missing. */
    static Path dataset(Path work) throws IOException {
        Path dir = work.resolve("synthetic-birds-" + COUNT);
        if (!Files.isRegularFile(dir.resolve(CubLayout.ROOT).resolve("images.txt"))) {
            SyntheticBirds.generate(new SyntheticBirds.Options(dir, COUNT, 1, 500, 375));
        }
        return dir;
    }
}
