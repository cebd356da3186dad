package dev.stackgan.trainer.cli;

import dev.stackgan.datasets.synthetic.SyntheticBirds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The synthetic-birds data set generator (libs/datasets) on the command line. */
@Command(name = "synthetic-birds", description = "Draws a synthetic bird data set in the CUB-200-2011 layout, with"
        + " captions and the ground-truth attributes of every image (docs/data.md).")
final class SyntheticBirdsCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the data set directory to write")
    Path out;
    @Option(names = "--count", defaultValue = "" + SyntheticBirds.CUB_IMAGE_COUNT, paramLabel = "N",
            description = "images (default: ${DEFAULT-VALUE}, as CUB)")
    int count;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--width", defaultValue = "" + SyntheticBirds.DEFAULT_WIDTH, paramLabel = "PX",
            description = "mean image width (default: ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--height", defaultValue = "" + SyntheticBirds.DEFAULT_HEIGHT, paramLabel = "PX",
            description = "mean image height (default: ${DEFAULT-VALUE})")
    int height;

    @Override
    public Integer call() throws IOException {
        SyntheticBirds.generate(new SyntheticBirds.Options(out, count, seed, width, height));
        return 0;
    }
}
