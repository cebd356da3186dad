package dev.stackgan.trainer.data;

import java.util.ArrayList;
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

    static Batch of(List<Sample> samples, int[] imageSizes) {
        int n = samples.size();
        int[] ids = new int[n];
        int[] classes = new int[n];
        int[] wrongIds = new int[n];
        int[] wrongClasses = new int[n];
        List<String> captions = new ArrayList<>(n);
        List<String> wrongCaptions = new ArrayList<>(n);
        float[][] images = new float[imageSizes.length][];
        float[][] wrongImages = new float[imageSizes.length][];
        for (int k = 0; k < imageSizes.length; k++) {
            images[k] = new float[n * 3 * imageSizes[k] * imageSizes[k]];
            wrongImages[k] = new float[images[k].length];
        }
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            ids[i] = s.imageId();
            classes[i] = s.classId();
            wrongIds[i] = s.wrongImageId();
            wrongClasses[i] = s.wrongClassId();
            captions.add(s.caption());
            wrongCaptions.add(s.wrongCaption());
            for (int k = 0; k < imageSizes.length; k++) {
                int length = s.images()[k].length;
                System.arraycopy(s.images()[k], 0, images[k], i * length, length);
                System.arraycopy(s.wrongImages()[k], 0, wrongImages[k], i * length, length);
            }
        }
        return new Batch(imageSizes.clone(), ids, classes, images, List.copyOf(captions), wrongIds, wrongClasses,
                wrongImages, List.copyOf(wrongCaptions));
    }
}
