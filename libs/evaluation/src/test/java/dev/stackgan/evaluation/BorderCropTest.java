package dev.stackgan.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BorderCropTest {

    /** A 24 px image of noise (no uniform line) centred in a 32 px white frame of 4 px. */
    static float[] padded(float[] inner, int innerSize, int pad) {
        int size = innerSize + 2 * pad;
        float[] out = new float[3 * size * size];
        java.util.Arrays.fill(out, 1f);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < innerSize; y++) {
                for (int x = 0; x < innerSize; x++) {
                    out[(c * size + y + pad) * size + x + pad] = inner[(c * innerSize + y) * innerSize + x];
                }
            }
        }
        return out;
    }

    static float[] noise(int size, long seed) {
        Random random = new Random(seed);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat() * 2 - 1;
        }
        return image;
    }

    @Test
    void aWhiteFrameIsCroppedToTheUnpaddedImage() {
        float[] inner = noise(24, 1);
        BorderCrop.Region plain = BorderCrop.find(inner, 0, 24);
        assertEquals(new BorderCrop.Region(0, 0, 24, 24), plain, "nothing to crop on noise");
        BorderCrop.Region region = BorderCrop.find(padded(inner, 24, 4), 0, 32);
        assertTrue(Math.abs(region.left() - 4) <= 1 && Math.abs(region.top() - 4) <= 1
                && Math.abs(region.right() - 28) <= 1 && Math.abs(region.bottom() - 28) <= 1, region.toString());
    }

    @Test
    void aUniformImageKeepsAtLeastHalfItsSide() {
        float[] flat = new float[3 * 16 * 16];
        BorderCrop.Region region = BorderCrop.find(flat, 0, 16);
        assertEquals(8, region.width());
        assertEquals(8, region.height());
    }

    @Test
    void croppingAnUncroppableImageLeavesItUnchanged() {
        float[] image = noise(16, 2);
        float[] cropped = BorderCrop.crop(image, 1, 16);
        for (int i = 0; i < image.length; i++) {
            assertEquals(image[i], cropped[i], 1e-6);
        }
    }
}
