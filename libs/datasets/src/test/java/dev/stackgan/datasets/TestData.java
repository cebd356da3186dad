package dev.stackgan.datasets;

import dev.stackgan.datasets.synthetic.SyntheticBirds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Small synthetic data sets for tests. */
public final class TestData {

    public static final int WIDTH = 160;
    public static final int HEIGHT = 120;

    private TestData() {
    }

    /** Generates {@code count} small synthetic birds under {@code dir} and returns {@code dir}. */
    public static Path birds(Path dir, int count, long seed) throws IOException {
        SyntheticBirds.generate(new SyntheticBirds.Options(dir, count, seed, WIDTH, HEIGHT));
        return dir;
    }


    /** Copies a folder tree, so a test can damage its own copy of a generated data set. */
    public static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(source -> {
                try {
                    Path target = to.resolve(from.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
