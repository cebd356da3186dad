package dev.stackgan.datasets.synthetic;

import dev.stackgan.console.Progress;
import dev.stackgan.datasets.CubLayout;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Generates a synthetic bird data set in the CUB-200-2011 layout (see {@link CubLayout}) plus the ground truth of
 * every image in {@code CUB_200_2011/attributes/synthetic_attributes.tsv}.
 *
 * <p>Each image draws from its own random source seeded by (seed, image id), so parallel generation writes
 * byte-identical files for the same seed and count.
 * The trainer's command line runs it as {@code synthetic-birds}.
 */
public final class SyntheticBirds {

    public static final String ATTRIBUTES_FILE = "attributes/synthetic_attributes.tsv";
    public static final int CUB_IMAGE_COUNT = 11_788;
    /** The default mean image size, about CUB's. */
    public static final int DEFAULT_WIDTH = 500;
    public static final int DEFAULT_HEIGHT = 375;
    private static final float JPEG_QUALITY = 0.9f;
    private static final double SIZE_JITTER = 0.15;

    /** What to generate; width and height are the mean image size, each image varies by up to 15 %. */
    public record Options(Path out, int count, long seed, int width, int height) {
        public Options {
            if (count < 1 || width < 32 || height < 32) {
                throw new IllegalArgumentException("need count >= 1 and an image size of at least 32x32, got "
                        + count + " images of " + width + "x" + height);
            }
        }
    }

    private record Item(int id, String imagePath, Species species, Rectangle2D box, boolean train,
                        BirdAttributes attributes) {
    }

    private SyntheticBirds() {
    }

    /** Writes the data set under {@code options.out()}: {@code CUB_200_2011/} and {@code text_c10/}. */
    public static void generate(Options options) throws IOException {
        Path cub = options.out().resolve(CubLayout.ROOT);
        Path captions = options.out().resolve(CubLayout.CAPTIONS_DIR);
        Files.createDirectories(cub.resolve(CubLayout.IMAGES_DIR));
        Files.createDirectories(cub.resolve(ATTRIBUTES_FILE).getParent());
        List<Item> items;
        try (Progress progress = new Progress("synthetic birds", options.count(), "images")) {
            items = IntStream.rangeClosed(1, options.count()).parallel()
                    .mapToObj(id -> {
                        Item item = generateOne(options, id, cub, captions);
                        progress.step();
                        return item;
                    })
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        writeIndex(cub, items);
    }

    private static Item generateOne(Options options, int id, Path cub, Path captionsDir) {
        SplittableRandom rng = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + id);
        // Images are grouped by class like CUB's: consecutive ids share a species.
        Species species = Species.all().get((int) ((long) (id - 1) * Species.COUNT / options.count()));
        BirdAttributes attributes = BirdAttributes.random(species, rng);
        int width = jitter(options.width(), rng);
        int height = jitter(options.height(), rng);
        BirdPainter.Painting painting = BirdPainter.paint(attributes, width, height, rng);
        boolean train = rng.nextBoolean();
        List<String> captions = CaptionWriter.captions(attributes, CubLayout.CAPTIONS_PER_IMAGE, rng);
        String imagePath = species.folderName() + "/" + species.baseName() + String.format("_%05d.jpg", id);
        try {
            Path image = cub.resolve(CubLayout.IMAGES_DIR).resolve(imagePath);
            Files.createDirectories(image.getParent());
            writeJpeg(painting.image(), image);
            Path captionFile = CubLayout.captionFile(captionsDir, imagePath);
            Files.createDirectories(captionFile.getParent());
            Files.write(captionFile, captions, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic image " + id + " (" + imagePath + ")", e);
        }
        return new Item(id, imagePath, species, painting.box(), train, attributes);
    }

    private static int jitter(int size, SplittableRandom rng) {
        return (int) Math.round(size * (1 - SIZE_JITTER + 2 * SIZE_JITTER * rng.nextDouble()));
    }

    private static void writeJpeg(BufferedImage image, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        // An in-memory stream: ImageIO's default file cache would put a temp file per image on disk.
        try (OutputStream out = Files.newOutputStream(file);
             ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static void writeIndex(Path cub, List<Item> items) throws IOException {
        List<String> images = new ArrayList<>();
        List<String> boxes = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> split = new ArrayList<>();
        List<String> attributes = new ArrayList<>();
        attributes.add("image_id\timage\tclass_id\t" + String.join("\t", BirdAttributes.TSV_COLUMNS)
                + "\tx\ty\twidth\theight");
        for (Item item : items) {
            Rectangle2D b = item.box();
            String box = String.format(Locale.ROOT, "%.1f %.1f %.1f %.1f", b.getX(), b.getY(), b.getWidth(),
                    b.getHeight());
            images.add(item.id() + " " + item.imagePath());
            boxes.add(item.id() + " " + box);
            labels.add(item.id() + " " + item.species().id());
            split.add(item.id() + " " + (item.train() ? 1 : 0));
            attributes.add(item.id() + "\t" + item.imagePath() + "\t" + item.species().id() + "\t"
                    + String.join("\t", item.attributes().tsvFields()) + "\t" + box.replace(' ', '\t'));
        }
        List<String> classes = Species.all().stream().map(s -> s.id() + " " + s.folderName()).toList();
        write(cub.resolve(CubLayout.IMAGES_FILE), images);
        write(cub.resolve(CubLayout.BOXES_FILE), boxes);
        write(cub.resolve(CubLayout.CLASSES_FILE), classes);
        write(cub.resolve(CubLayout.LABELS_FILE), labels);
        write(cub.resolve(CubLayout.SPLIT_FILE), split);
        write(cub.resolve(ATTRIBUTES_FILE), attributes);
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
