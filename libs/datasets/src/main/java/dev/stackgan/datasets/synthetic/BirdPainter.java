package dev.stackgan.datasets.synthetic;

import dev.stackgan.datasets.synthetic.BirdAttributes.BillShape;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one bird with Java2D: background, tail, legs, body (belly/breast), wing with its pattern, head (crown),
 * eyebrow, malar stripe, eye and bill. The bird is modelled facing right in its own units (about 300 long, origin in
 * the body centre) and placed by one transform: position, scale, tilt and a mirror when facing left.
 */
final class BirdPainter {

    /** The drawn image and the bird's bounding box in image pixels (clipped to the image). */
    record Painting(BufferedImage image, Rectangle2D box) {
    }

    private static final double BIRD_LENGTH = 300;
    private static final Color OUTLINE = new Color(30, 30, 30);
    private static final double[] LENGTH_FRACTION = {0.38, 0.52, 0.66};

    private BirdPainter() {
    }

    static Painting paint(BirdAttributes a, int width, int height, SplittableRandom rng) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            paintBackground(g, a.background(), width, height, rng);

            double scale = LENGTH_FRACTION[a.size().ordinal()] * (0.9 + 0.2 * rng.nextDouble())
                    * Math.min(width, height * 4.0 / 3) / BIRD_LENGTH;
            AffineTransform at = new AffineTransform();
            at.translate(width * (0.35 + 0.3 * rng.nextDouble()), height * (0.4 + 0.2 * rng.nextDouble()));
            at.rotate(Math.toRadians(-12 + 24 * rng.nextDouble()));
            at.scale(a.facingLeft() ? -scale : scale, scale);

            paintBranch(g, at, width);
            Rectangle2D box = paintBird(g, at, a);
            return new Painting(image, box.createIntersection(new Rectangle2D.Double(0, 0, width, height)));
        } finally {
            g.dispose();
        }
    }

    private static void paintBackground(Graphics2D g, BirdAttributes.Background background, int width, int height,
                                        SplittableRandom rng) {
        Color[] gradient = switch (background) {
            case SKY -> new Color[] {new Color(120, 180, 235), new Color(225, 238, 250)};
            case FOLIAGE -> new Color[] {new Color(25, 70, 30), new Color(105, 150, 70)};
            case WATER -> new Color[] {new Color(150, 190, 215), new Color(35, 85, 130)};
        };
        g.setPaint(new GradientPaint(0, 0, gradient[0], 0, height, gradient[1]));
        g.fillRect(0, 0, width, height);
        // Soft texture (clouds, leaves, ripples) so backgrounds are not flat, drawn translucent to stay calm.
        Color texture = switch (background) {
            case SKY -> new Color(255, 255, 255, 110);
            case FOLIAGE -> new Color(60, 120, 40, 120);
            case WATER -> new Color(210, 230, 240, 90);
        };
        g.setColor(texture);
        for (int i = 0; i < 12; i++) {
            double x = rng.nextDouble() * width;
            double y = rng.nextDouble() * height;
            double w = (0.05 + 0.15 * rng.nextDouble()) * width;
            double h = background == BirdAttributes.Background.WATER ? w / 12 : w * (0.3 + 0.4 * rng.nextDouble());
            g.fill(new Ellipse2D.Double(x - w / 2, y - h / 2, w, h));
        }
    }

    // A perch under the feet, across the whole image.
    private static void paintBranch(Graphics2D g, AffineTransform at, int width) {
        double[] feet = {-400, 86, 400, 92};
        at.transform(feet, 0, feet, 0, 2);
        g.setColor(new Color(85, 55, 30));
        g.setStroke(new BasicStroke((float) (12 * Math.abs(at.getScaleY()) + 2), BasicStroke.CAP_ROUND,
                BasicStroke.JOIN_ROUND));
        double slope = (feet[3] - feet[1]) / (feet[2] - feet[0]);
        g.draw(new Line2D.Double(0, feet[1] - slope * feet[0], width, feet[1] + slope * (width - feet[0])));
    }

    private static Rectangle2D paintBird(Graphics2D g, AffineTransform at, BirdAttributes a) {
        Shape tail = polygon(-50, -8, -140, -34, -146, 8, -50, 22);
        Shape body = new Ellipse2D.Double(-78, -42, 156, 92);
        Shape wing = wingShape();
        Shape head = new Ellipse2D.Double(26, -80, 76, 76);
        Shape bill = billShape(a.billShape(), a.billLength() == BirdAttributes.BillLength.LONG ? 62 : 30);
        BasicStroke legStroke = new BasicStroke(6, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        Path2D legs = new Path2D.Double();
        for (double x : new double[] {-12, 16}) {
            legs.moveTo(x, 42);
            legs.lineTo(x - 4, 86);
            legs.moveTo(x - 16, 88);
            legs.lineTo(x + 10, 88);
        }
        Shape legOutline = legStroke.createStrokedShape(legs);

        fill(g, at, tail, a.wing().rgb());
        fill(g, at, legOutline, a.legs().rgb());
        fill(g, at, body, a.belly().rgb());
        fill(g, at, wing, a.wing().rgb());
        paintWingPattern(g, at, wing, a);
        fill(g, at, bill, a.bill().rgb());
        fill(g, at, head, a.crown().rgb());
        if (a.eyebrow() != null) {
            fillStroke(g, at, new Line2D.Double(56, -66, 90, -60), 7, a.eyebrow().rgb());
        }
        if (a.malar() != null) {
            fillStroke(g, at, new Line2D.Double(66, -32, 88, -20), 8, a.malar().rgb());
        }
        Shape eye = new Ellipse2D.Double(68, -56, 14, 14);
        g.setColor(Color.BLACK);
        g.fill(at.createTransformedShape(eye));
        g.setColor(Color.WHITE);
        g.fill(at.createTransformedShape(new Ellipse2D.Double(76, -53, 4, 4)));

        Rectangle2D box = null;
        for (Shape part : List.of(tail, legOutline, body, wing, bill, head)) {
            Rectangle2D bounds = at.createTransformedShape(part).getBounds2D();
            box = box == null ? bounds : box.createUnion(bounds);
        }
        return box;
    }

    private static void paintWingPattern(Graphics2D g, AffineTransform at, Shape wing, BirdAttributes a) {
        if (a.patternColour() == null) {
            return;
        }
        Shape oldClip = g.getClip();
        g.clip(at.createTransformedShape(wing));
        Path2D marks = new Path2D.Double();
        if (a.wingPattern() == BirdAttributes.WingPattern.STRIPED) {
            for (int x = -110; x < 60; x += 22) {
                marks.append(polygon(x, -50, x + 9, -50, x - 21, 40, x - 30, 40), false);
            }
        } else {
            for (int x = -100; x < 50; x += 20) {
                for (int y = -40; y < 40; y += 18) {
                    marks.append(new Ellipse2D.Double(x + (y / 18 % 2) * 10, y, 9, 9), false);
                }
            }
        }
        g.setColor(a.patternColour().rgb());
        g.fill(at.createTransformedShape(marks));
        g.setClip(oldClip);
    }

    private static Shape wingShape() {
        Path2D wing = new Path2D.Double();
        wing.moveTo(48, -18);
        wing.curveTo(10, -56, -70, -36, -112, 4);
        wing.curveTo(-60, 38, 14, 30, 48, -18);
        wing.closePath();
        return wing;
    }

    private static Shape billShape(BillShape shape, double length) {
        double tip = 92 + length;
        Path2D bill = new Path2D.Double();
        bill.moveTo(88, -56);
        switch (shape) {
            case POINTED -> bill.lineTo(tip, -42);
            case HOOKED -> {
                bill.quadTo(tip, -62, tip, -30);
                bill.lineTo(tip - 8, -38);
            }
            case CURVED -> bill.quadTo(92 + length * 0.7, -52, tip, -14);
        }
        bill.lineTo(88, -30);
        bill.closePath();
        return bill;
    }

    private static Shape polygon(double... xy) {
        Path2D path = new Path2D.Double();
        path.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            path.lineTo(xy[i], xy[i + 1]);
        }
        path.closePath();
        return path;
    }

    private static void fill(Graphics2D g, AffineTransform at, Shape part, Color colour) {
        Shape placed = at.createTransformedShape(part);
        g.setColor(colour);
        g.fill(placed);
        g.setColor(OUTLINE);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(placed);
    }

    private static void fillStroke(Graphics2D g, AffineTransform at, Shape line, float width, Color colour) {
        g.setColor(colour);
        g.fill(at.createTransformedShape(new BasicStroke(width, BasicStroke.CAP_ROUND,
                BasicStroke.JOIN_ROUND).createStrokedShape(line)));
    }
}
