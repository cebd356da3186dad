package dev.stackgan.benchmarks;

import dev.stackgan.datasets.BatchIterator;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.Split;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the loader: the first pass (JPEG decoding, crop, resize into the cache) and cached epochs (random crop,
 * flip, scaling and batching only), in images per second.
 *
 */
@Command(name = "loader", description = "Measures the data loader's first pass and cached epochs, in images/s.")
final class LoaderBenchmark implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a data set holding CUB_200_2011/")
    Path data;
    @Option(names = "--sizes", defaultValue = "64,256", split = ",", paramLabel = "PX",
            description = "image sizes to cache (default: ${DEFAULT-VALUE})")
    int[] sizes;
    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N",
            description = "cached epochs to time (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        CubDataset dataset = CubDataset.load(data, null, Split.STACKGAN_CLASS, true, sizes);
        int considered = dataset.size() + dataset.summary().skipped().size();
        System.out.printf("sizes %s: first pass (decode, crop, resize) %d images, %.1f images/s%n",
                Arrays.toString(sizes), considered, considered / seconds(start));
        Random rng = new Random(1);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long epochStart = System.nanoTime();
            BatchIterator batches = dataset.epoch(batchSize, rng, true);
            long images = 0;
            while (batches.hasNext()) {
                images += batches.next().size();
            }
            System.out.printf("sizes %s: cached epoch %d, %d images in batches of %d, %.1f images/s%n",
                    Arrays.toString(sizes), epoch, images, batchSize, images / seconds(epochStart));
        }
        return 0;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
