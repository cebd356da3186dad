package dev.stackgan.datasets;

import java.util.Random;

/**
 * One random crop and flip, given at the largest image size: {@code x} and {@code y} are the top-left corner in the
 * resized (size * 76 / 64) image. Smaller sizes of the same sample use the proportional corner, so a 64 px and a
 * 256 px image show the same part of the bird.
 */
public record Crop(int x, int y, boolean flip) {

    /** The crop StackGAN's RandomCrop and RandomHorizontalFlip would draw for {@code size} from {@code loadSize}. */
    public static Crop random(int loadSize, int size, Random rng) {
        int range = loadSize - size + 1;
        int x = rng.nextInt(range);
        int y = rng.nextInt(range);
        return new Crop(x, y, rng.nextBoolean());
    }

    /** This crop's corner for an image {@code size} when it was drawn for {@code largestSize}. */
    Crop scaledTo(int size, int largestSize) {
        return new Crop(x * size / largestSize, y * size / largestSize, flip);
    }
}
