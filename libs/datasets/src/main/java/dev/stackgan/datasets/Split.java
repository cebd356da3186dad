package dev.stackgan.datasets;

import dev.stackgan.console.Choices;
import java.util.Set;

/** How images are divided into training and test sets. */
public enum Split {
    /** StackGAN's zero-shot split: 150 training classes, 50 test classes, no class in both. */
    STACKGAN_CLASS,
    /** CUB's own per-image split from {@code train_test_split.txt}: every class in both sets. */
    CUB_IMAGE;

    /** The 50 test classes of StackGAN's split (CUB class ids). */
    public static final Set<Integer> STACKGAN_TEST_CLASSES = Set.of(1, 4, 6, 8, 9, 14, 23, 29, 31, 33, 34, 35, 36,
            37, 38, 43, 49, 51, 53, 66, 72, 79, 83, 84, 86, 91, 95, 96, 98, 101, 102, 103, 112, 114, 119, 121, 130,
            135, 138, 147, 156, 163, 165, 166, 180, 183, 185, 186, 187, 197);

    /** {@code stackgan-class} or {@code cub-image}; null means the default, StackGAN's class split. */
    public static Split parse(String value) {
        return value == null ? STACKGAN_CLASS : Choices.parse("split", values(), Choices::lowerCaseName, value);
    }

    /** Whether an image of {@code classId} with CUB's flag {@code cubTrain} belongs to the training set. */
    public boolean isTrain(int classId, boolean cubTrain) {
        return this == STACKGAN_CLASS ? !STACKGAN_TEST_CLASSES.contains(classId) : cubTrain;
    }
}
