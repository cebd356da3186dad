package dev.stackgan.datasets;

/**
 * One training sample: the image at every requested size (CHW floats in [-1, 1], same crop and flip), one of its
 * captions, and the mismatching ("wrong") image of another class with one of that image's captions.
 */
public record Sample(int imageId, int classId, float[][] images, String caption,
                     int wrongImageId, int wrongClassId, float[][] wrongImages, String wrongCaption) {
}
