package dev.stackgan.datasets;

import java.nio.file.Path;

/**
 * File names of the CUB-200-2011 layout, shared by the loader and the synthetic generator so both agree on it.
 *
 * <pre>
 * CUB_200_2011/images.txt               "image_id relative/path.jpg"
 * CUB_200_2011/bounding_boxes.txt       "image_id x y width height" (pixels, may be fractional)
 * CUB_200_2011/classes.txt              "class_id 001.Class_Name"
 * CUB_200_2011/image_class_labels.txt   "image_id class_id"
 * CUB_200_2011/train_test_split.txt     "image_id is_training_image"
 * CUB_200_2011/images/&lt;class&gt;/&lt;image&gt;.jpg
 * text_c10/&lt;class&gt;/&lt;image&gt;.txt            one caption per line (Reed et al.); "text/" is accepted too
 * </pre>
 */
public final class CubLayout {

    public static final String ROOT = "CUB_200_2011";
    public static final String IMAGES_FILE = "images.txt";
    public static final String BOXES_FILE = "bounding_boxes.txt";
    public static final String CLASSES_FILE = "classes.txt";
    public static final String LABELS_FILE = "image_class_labels.txt";
    public static final String SPLIT_FILE = "train_test_split.txt";
    public static final String IMAGES_DIR = "images";
    public static final String CAPTIONS_DIR = "text_c10";
    public static final String CAPTIONS_DIR_ALTERNATIVE = "text";
    public static final int CAPTIONS_PER_IMAGE = 10;

    private CubLayout() {
    }

    /** The caption file of an image given by its path relative to {@code images/}: same folder and base name. */
    public static Path captionFile(Path captionsDir, String imagePath) {
        int dot = imagePath.lastIndexOf('.');
        return captionsDir.resolve((dot < 0 ? imagePath : imagePath.substring(0, dot)) + ".txt");
    }
}
