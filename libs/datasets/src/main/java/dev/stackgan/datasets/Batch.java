package dev.stackgan.datasets;

import java.util.List;

/**
 * A batch ready for tensors: {@code images[k]} and {@code wrongImages[k]} hold {@code size()} images of side
 * {@code imageSizes[k]} as one flat array [N, 3, S, S].
 */
public record Batch(int[] imageSizes, int[] imageIds, int[] classIds, float[][] images, List<String> captions,
                    int[] wrongImageIds, int[] wrongClassIds, float[][] wrongImages, List<String> wrongCaptions) {

    public int size() {
        return imageIds.length;
    }
}
