package dev.stackgan.datasets;

import dev.stackgan.console.Progress;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * CUB-200-2011 (or any data in its layout, such as the synthetic birds) with Reed et al.'s captions, preprocessed as
 * StackGAN does.
 *
 * <p>{@link #load} checks and decodes every image of the chosen split in parallel and keeps the box crop resized to
 * size * 76 / 64 in memory (about 277 KB per image at 256 px, 17 KB at 64 px), so epochs decode no JPEG. Damaged
 * items are skipped and reported in {@link #summary()}; a missing index file or folder fails before anything else.
 */
public final class CubDataset {

    private record Item(int imageId, String imagePath, int classId, List<String> captions, byte[][] pixels) {
    }

    /** Either a usable item or why not. */
    private record Checked(Item item, LoadSummary.Skipped skipped) {
    }

    private final int[] imageSizes;
    private final int[] loadSizes;
    private final int largest;
    private final List<Item> items;
    private final Map<Integer, String> classNames;
    private final LoadSummary summary;

    private CubDataset(int[] imageSizes, List<Item> items, Map<Integer, String> classNames, LoadSummary summary) {
        this.imageSizes = imageSizes;
        this.loadSizes = Arrays.stream(imageSizes).map(Preprocessing::loadSize).toArray();
        this.largest = largestIndex(imageSizes);
        this.items = items;
        this.classNames = classNames;
        this.summary = summary;
    }

    /**
     * Training images the index files list for {@code split}, counted without opening an image: cheap enough to check
     * a batch size when a run is submitted (loading may still skip unreadable images).
     */
    public static int countTrainingImages(Path cubRoot, Split split) {
        return (int) CubIndex.read(CubIndex.resolveRoot(cubRoot)).entries().stream()
                .filter(e -> inSide(e, split, true)).count();
    }

    /**
     * Loads one side of a split.
     *
     * @param cubRoot     {@code CUB_200_2011/} or the folder holding it
     * @param captionsDir the caption folder ({@code text_c10/} or {@code text/}) or the folder holding it; null for
     *                    the folder holding {@code CUB_200_2011/}, where Reed et al.'s archive puts it
     * @param imageSizes  the sizes of every sample, e.g. {64} for Stage I or {64, 256} for Stage II
     */
    public static CubDataset load(Path cubRoot, Path captionsDir, Split split, boolean train, int... imageSizes) {
        if (imageSizes.length == 0 || Arrays.stream(imageSizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("need at least one positive image size, got "
                    + Arrays.toString(imageSizes));
        }
        Path root = CubIndex.resolveRoot(cubRoot);
        CubIndex index = CubIndex.read(root);
        Path captions = captionsDir != null ? resolveCaptions(captionsDir)
                : resolveCaptions(root.toAbsolutePath().getParent().resolve(CubLayout.CAPTIONS_DIR));
        int[] loadSizes = Arrays.stream(imageSizes).map(Preprocessing::loadSize).toArray();
        String description = String.format("%s %s (%s)", split, train ? "train" : "test", root);

        List<CubIndex.Entry> selected = index.entries().stream()
                .filter(e -> inSide(e, split, train))
                .toList();
        List<Checked> checked;
        try (Progress progress = new Progress("decoding " + description, selected.size(), "images")) {
            checked = selected.parallelStream()
                    .map(entry -> {
                        Checked result = check(root, captions, entry, loadSizes);
                        progress.step();
                        return result;
                    })
                    .toList();
        }
        List<Item> items = checked.stream().filter(c -> c.item() != null).map(Checked::item).toList();
        LoadSummary summary = new LoadSummary(description, items.size(),
                checked.stream().filter(c -> c.skipped() != null).map(Checked::skipped).toList());
        System.err.println(summary);
        if (items.stream().map(Item::classId).distinct().count() < 2) {
            throw new DataLayoutException(root, "the " + description + " set has usable images of fewer than two "
                    + "classes; the matching-aware discriminator needs mismatching pairs from other classes");
        }
        return new CubDataset(imageSizes.clone(), items, index.classNames(), summary);
    }

    /** Whether the entry is on the requested side; one whose side is unknown is kept to be reported as incomplete. */
    private static boolean inSide(CubIndex.Entry e, Split split, boolean train) {
        boolean known = split == Split.STACKGAN_CLASS ? e.classId() > 0 : e.cubTrain() != null;
        return !known || split.isTrain(e.classId(), Boolean.TRUE.equals(e.cubTrain())) == train;
    }

    /**
     * The caption folder: {@code dir/text_c10}, else {@code dir/text}, else {@code dir} itself; given
     * {@code .../text_c10} that does not exist, its sibling {@code text/}.
     */
    private static Path resolveCaptions(Path dir) {
        for (String name : List.of(CubLayout.CAPTIONS_DIR, CubLayout.CAPTIONS_DIR_ALTERNATIVE)) {
            if (Files.isDirectory(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        Path alternative = dir.resolveSibling(CubLayout.CAPTIONS_DIR_ALTERNATIVE);
        if (!Files.exists(dir) && dir.endsWith(CubLayout.CAPTIONS_DIR) && Files.isDirectory(alternative)) {
            return alternative;
        }
        CubIndex.requireDirectory(dir);
        return dir;
    }

    private static Checked check(Path root, Path captionsDir, CubIndex.Entry entry, int[] loadSizes) {
        if (!entry.complete()) {
            return skip(entry, SkipReason.INCOMPLETE_INDEX, "image id " + entry.imageId()
                    + " lacks a line in a bounding box, class label or split file");
        }
        Path imageFile = root.resolve(CubLayout.IMAGES_DIR).resolve(entry.imagePath());
        Path captionFile = CubLayout.captionFile(captionsDir, entry.imagePath());
        if (!Files.isRegularFile(imageFile)) {
            return skip(entry, SkipReason.MISSING_IMAGE, imageFile.toString());
        }
        if (!Files.isRegularFile(captionFile)) {
            return skip(entry, SkipReason.MISSING_CAPTIONS, captionFile.toString());
        }
        List<String> captions;
        try {
            captions = readCaptions(captionFile);
        } catch (CharacterCodingException e) {
            return skip(entry, SkipReason.NON_UTF8_CAPTIONS, captionFile + ": " + e);
        } catch (IOException e) {
            return skip(entry, SkipReason.MISSING_CAPTIONS, captionFile + ": " + e);
        }
        if (captions.size() < CubLayout.CAPTIONS_PER_IMAGE) {
            return skip(entry, SkipReason.TOO_FEW_CAPTIONS, captions.size() + " in " + captionFile);
        }
        BufferedImage image;
        try {
            image = Preprocessing.decode(imageFile);
        } catch (IOException | Preprocessing.CorruptImageException e) {
            return skip(entry, SkipReason.CORRUPT_IMAGE, imageFile + ": " + e.getMessage());
        }
        if (!entry.box().insideImage(image.getWidth(), image.getHeight())) {
            return skip(entry, SkipReason.BOX_OUTSIDE_IMAGE, entry.box() + " in a " + image.getWidth() + "x"
                    + image.getHeight() + " image");
        }
        byte[][] pixels = Preprocessing.cropAndResize(image, entry.box(), loadSizes);
        return new Checked(new Item(entry.imageId(), entry.imagePath(), entry.classId(), captions, pixels), null);
    }

    private static Checked skip(CubIndex.Entry entry, SkipReason reason, String detail) {
        return new Checked(null, new LoadSummary.Skipped(entry.imageId(), entry.imagePath(), reason, detail));
    }

    /** The non-blank lines of a caption file, which must be valid UTF-8. */
    private static List<String> readCaptions(Path file) throws IOException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        List<String> captions = new ArrayList<>();
        for (String line : text.replace("\uFEFF", "").split("\\R")) {
            if (!line.isBlank()) {
                captions.add(line.strip());
            }
        }
        return captions;
    }

    private static int largestIndex(int[] sizes) {
        int best = 0;
        for (int i = 1; i < sizes.length; i++) {
            best = sizes[i] > sizes[best] ? i : best;
        }
        return best;
    }

    public int size() {
        return items.size();
    }

    public int[] imageSizes() {
        return imageSizes.clone();
    }

    public LoadSummary summary() {
        return summary;
    }

    /** Every caption of every loaded image, in load order: the input for building the vocabulary. */
    public List<String> allCaptions() {
        return items.stream().flatMap(i -> i.captions().stream()).toList();
    }

    public int imageId(int index) {
        return items.get(index).imageId();
    }

    /** The image's path under {@code images/}, as in {@code images.txt}. */
    public String imagePath(int index) {
        return items.get(index).imagePath();
    }

    public int classId(int index) {
        return items.get(index).classId();
    }

    /** CUB's folder name of a class, e.g. "001.Black_footed_Albatross". */
    public String className(int classId) {
        return classNames.get(classId);
    }

    public List<String> captions(int index) {
        return items.get(index).captions();
    }

    /** A random crop and flip for one sample, drawn at the largest size. */
    public Crop randomCrop(Random rng) {
        return Crop.random(loadSizes[largest], imageSizes[largest], rng);
    }

    /** Image {@code index} at {@code imageSizes()[sizeIndex]} with {@code crop} (given at the largest size). */
    public float[] image(int index, int sizeIndex, Crop crop) {
        int size = imageSizes[sizeIndex];
        float[] out = new float[3 * size * size];
        write(index, sizeIndex, crop, out, 0);
        return out;
    }

    /** The sample of image {@code index}: random caption, crop, flip and a wrong image from another class. */
    public Sample sample(int index, Random rng) {
        Draw d = draw(index, rng);
        float[][] images = allocate(1);
        float[][] wrongImages = allocate(1);
        d.write(images, wrongImages, 0);
        return new Sample(imageId(index), classId(index), images, d.caption(), imageId(d.wrongIndex()),
                classId(d.wrongIndex()), wrongImages, d.wrongCaption());
    }

    /** One shuffled epoch in batches of {@code batchSize}; {@code dropLast} leaves out a final partial batch. */
    public BatchIterator epoch(int batchSize, Random rng, boolean dropLast) {
        return new BatchIterator(this, batchSize, rng, dropLast);
    }

    /**
     * The batch of images {@code indices}, sample i drawn with {@code new Random(seeds[i])}. Samples are built in
     * parallel straight into the batch arrays: at 256 px a batch is hundreds of megabytes, too much to copy twice.
     */
    Batch batch(List<Integer> indices, long[] seeds) {
        int n = indices.size();
        float[][] images = allocate(n);
        float[][] wrongImages = allocate(n);
        Draw[] draws = new Draw[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            draws[i] = draw(indices.get(i), new Random(seeds[i]));
            draws[i].write(images, wrongImages, i);
        });
        int[] ids = new int[n];
        int[] classes = new int[n];
        int[] wrongIds = new int[n];
        int[] wrongClasses = new int[n];
        List<String> captions = new ArrayList<>(n);
        List<String> wrongCaptions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids[i] = imageId(draws[i].index());
            classes[i] = classId(draws[i].index());
            wrongIds[i] = imageId(draws[i].wrongIndex());
            wrongClasses[i] = classId(draws[i].wrongIndex());
            captions.add(draws[i].caption());
            wrongCaptions.add(draws[i].wrongCaption());
        }
        return new Batch(imageSizes(), ids, classes, images, List.copyOf(captions), wrongIds, wrongClasses,
                wrongImages, List.copyOf(wrongCaptions));
    }

    /** The random choices of one sample, in the order StackGAN's dataset makes them. */
    private record Draw(CubDataset data, int index, String caption, Crop crop, int wrongIndex, String wrongCaption,
                        Crop wrongCrop) {

        /** Writes the image and the wrong image, at every size, into slot {@code slot} of the batch arrays. */
        void write(float[][] images, float[][] wrongImages, int slot) {
            for (int k = 0; k < images.length; k++) {
                int length = 3 * data.imageSizes[k] * data.imageSizes[k];
                data.write(index, k, crop, images[k], slot * length);
                data.write(wrongIndex, k, wrongCrop, wrongImages[k], slot * length);
            }
        }
    }

    private Draw draw(int index, Random rng) {
        Item item = items.get(index);
        String caption = item.captions().get(rng.nextInt(item.captions().size()));
        Crop crop = randomCrop(rng);
        int wrongIndex;
        do {
            wrongIndex = rng.nextInt(items.size());
        } while (items.get(wrongIndex).classId() == item.classId());
        List<String> wrongCaptions = items.get(wrongIndex).captions();
        return new Draw(this, index, caption, crop, wrongIndex, wrongCaptions.get(rng.nextInt(wrongCaptions.size())),
                randomCrop(rng));
    }

    private void write(int index, int sizeIndex, Crop crop, float[] out, int offset) {
        int size = imageSizes[sizeIndex];
        Preprocessing.toChw(items.get(index).pixels()[sizeIndex], loadSizes[sizeIndex], size,
                crop.scaledTo(size, imageSizes[largest]), out, offset);
    }

    /** Zeroed image arrays for {@code n} images at every size: [size index][N * 3 * S * S]. */
    private float[][] allocate(int n) {
        float[][] arrays = new float[imageSizes.length][];
        for (int k = 0; k < imageSizes.length; k++) {
            arrays[k] = new float[n * 3 * imageSizes[k] * imageSizes[k]];
        }
        return arrays;
    }
}
