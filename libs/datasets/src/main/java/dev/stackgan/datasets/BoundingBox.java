package dev.stackgan.datasets;

import java.awt.Rectangle;

/** A bird's box in image pixels, as in {@code bounding_boxes.txt}. */
public record BoundingBox(double x, double y, double width, double height) {

    // CUB's boxes are fractional and may touch the border; allow a pixel of rounding.
    private static final double TOLERANCE = 1;

    public boolean insideImage(int imageWidth, int imageHeight) {
        return width > 0 && height > 0 && x >= -TOLERANCE && y >= -TOLERANCE
                && x + width <= imageWidth + TOLERANCE && y + height <= imageHeight + TOLERANCE;
    }

    /**
     * StackGAN's crop: a square of side 2 * int(0.75 * max(w, h)) around the box centre, clipped to the image (so
     * near a border it is a rectangle, which the later resize stretches to a square, as StackGAN does).
     */
    public Rectangle stackGanCrop(int imageWidth, int imageHeight) {
        int r = (int) (Math.max(width, height) * 0.75);
        int centreX = (int) ((2 * x + width) / 2);
        int centreY = (int) ((2 * y + height) / 2);
        int x1 = Math.max(0, centreX - r);
        int y1 = Math.max(0, centreY - r);
        int x2 = Math.min(imageWidth, centreX + r);
        int y2 = Math.min(imageHeight, centreY + r);
        return new Rectangle(x1, y1, x2 - x1, y2 - y1);
    }
}
