package dev.stackgan.trainer.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the loader: the first pass (JPEG decoding, crop, resize into the cache) and cached epochs (random crop,
 * flip, scaling and batching only), in images per second.
 *
 * <pre>
 * java dev.stackgan.trainer.data.LoaderBenchmark DATA_DIR SIZES [EPOCHS] [BATCH]   e.g. /data/birds 64,256 2 64
 * </pre>
 */
public final class LoaderBenchmark {

    private LoaderBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: LoaderBenchmark DATA_DIR SIZES [EPOCHS] [BATCH]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        int[] sizes = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 64;

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
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
