package dev.stackgan.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CubDatasetTest {

    private static final int COUNT = 60;

    @TempDir
    static Path dir;
    static Path birds;
    static Path cub;

    @BeforeAll
    static void generate() throws IOException {
        birds = TestData.birds(dir.resolve("birds"), COUNT, 7);
        cub = birds.resolve(CubLayout.ROOT);
    }

    @Test
    void splitsCoverEveryImageOnceAndStackGanTestClassesStayOut() throws IOException {
        CubDataset train = CubDataset.load(birds, null, Split.STACKGAN_CLASS, true, 64);
        CubDataset test = CubDataset.load(cub, birds.resolve(CubLayout.CAPTIONS_DIR), Split.STACKGAN_CLASS, false, 64);
        assertEquals(COUNT, train.size() + test.size());
        for (int i = 0; i < train.size(); i++) {
            assertTrue(!Split.STACKGAN_TEST_CLASSES.contains(train.classId(i)));
        }
        for (int i = 0; i < test.size(); i++) {
            assertTrue(Split.STACKGAN_TEST_CLASSES.contains(test.classId(i)));
        }

        long cubTrain = Files.readAllLines(cub.resolve(CubLayout.SPLIT_FILE)).stream()
                .filter(l -> l.endsWith(" 1")).count();
        assertEquals(cubTrain, CubDataset.load(birds, birds, Split.CUB_IMAGE, true, 64).size());
        assertEquals(COUNT - cubTrain, CubDataset.load(birds, birds, Split.CUB_IMAGE, false, 64).size());
        assertEquals(10 * train.size(), train.allCaptions().size());
        assertEquals(0, train.summary().skipped().size());
    }

    @Test
    void stackGanCropIsTheClippedSquareAroundTheBoxCentre() throws IOException {
        assertEquals(new Rectangle(0, 0, 135, 125), new BoundingBox(10, 20, 100, 60).stackGanCrop(500, 375));
        assertEquals(new Rectangle(100, 100, 150, 150), new BoundingBox(125, 140, 100, 70).stackGanCrop(500, 375));
        for (String line : Files.readAllLines(cub.resolve(CubLayout.BOXES_FILE))) {
            String[] f = line.split(" ");
            String path = Files.readAllLines(cub.resolve(CubLayout.IMAGES_FILE)).get(Integer.parseInt(f[0]) - 1)
                    .split(" ")[1];
            BufferedImage image = ImageIO.read(cub.resolve(CubLayout.IMAGES_DIR).resolve(path).toFile());
            Rectangle crop = new BoundingBox(Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4])).stackGanCrop(image.getWidth(),
                    image.getHeight());
            assertTrue(new Rectangle(0, 0, image.getWidth(), image.getHeight()).contains(crop), line);
            assertTrue(crop.width > 0 && crop.height > 0, line);
        }
    }

    @Test
    void samplesAreInRangeFlipMirrorsAndCaptionsAndWrongPairsAreRight() {
        CubDataset data = CubDataset.load(birds, null, Split.CUB_IMAGE, true, 64);
        Random rng = new Random(3);
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.sample(i, rng);
            assertEquals(3 * 64 * 64, s.images()[0].length);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : s.images()[0]) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(min >= -1 && max <= 1 && max - min > 0.5, "range " + min + ".." + max);
            assertTrue(data.captions(i).contains(s.caption()), s.caption());
            assertNotEquals(s.classId(), s.wrongClassId());
            int wrong = indexOf(data, s.wrongImageId());
            assertEquals(data.classId(wrong), s.wrongClassId());
            assertTrue(data.captions(wrong).contains(s.wrongCaption()), s.wrongCaption());

            Crop crop = data.randomCrop(rng);
            float[] plain = data.image(i, 0, new Crop(crop.x(), crop.y(), false));
            float[] flipped = data.image(i, 0, new Crop(crop.x(), crop.y(), true));
            assertArrayEquals(mirror(plain, 64), flipped);
        }
    }

    @Test
    void batchesAreFlatDeterministicAndCoverTheEpoch() {
        CubDataset data = CubDataset.load(birds, null, Split.CUB_IMAGE, true, 64);
        BatchIterator epoch = data.epoch(8, new Random(11), false);
        BatchIterator again = data.epoch(8, new Random(11), false);
        Set<Integer> seen = new HashSet<>();
        int batches = 0;
        while (epoch.hasNext()) {
            Batch batch = epoch.next();
            Batch same = again.next();
            assertEquals(batch.size() * 3 * 64 * 64, batch.images()[0].length);
            assertEquals(batch.images()[0].length, batch.wrongImages()[0].length);
            assertArrayEquals(batch.images()[0], same.images()[0]);
            assertEquals(batch.captions(), same.captions());
            for (int id : batch.imageIds()) {
                assertTrue(seen.add(id), "image " + id + " twice in one epoch");
            }
            batches++;
        }
        assertEquals(data.size(), seen.size());
        assertEquals(epoch.batches(), batches);
        assertEquals(data.size() / 8, data.epoch(8, new Random(1), true).batches());
    }

    @Test
    void twoSizesShowTheSameCrop() {
        CubDataset data = CubDataset.load(birds, null, Split.CUB_IMAGE, true, 64, 256);
        Random rng = new Random(5);
        for (int i = 0; i < data.size(); i += 5) {
            Sample s = data.sample(i, rng);
            float[] small = s.images()[0];
            float[] pooled = averagePool(s.images()[1], 256, 4);
            double diff = 0;
            for (int k = 0; k < small.length; k++) {
                diff += Math.abs(small[k] - pooled[k]);
            }
            assertTrue(diff / small.length < 0.06, "mean difference " + diff / small.length);
        }
    }

    @Test
    void damagedItemsAreSkippedCountedAndNamed() throws IOException {
        Path copy = TestData.copy(birds, dir.resolve("damaged"));
        Path root = copy.resolve(CubLayout.ROOT);
        List<String> images = Files.readAllLines(root.resolve(CubLayout.IMAGES_FILE));
        Path captions = copy.resolve(CubLayout.CAPTIONS_DIR);
        List<String> paths = new ArrayList<>();
        for (String line : images.subList(0, 6)) {
            paths.add(line.split(" ")[1]);
        }
        Files.delete(root.resolve(CubLayout.IMAGES_DIR).resolve(paths.get(0)));
        Path truncated = root.resolve(CubLayout.IMAGES_DIR).resolve(paths.get(1));
        byte[] jpeg = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.delete(CubLayout.captionFile(captions, paths.get(2)));
        Path few = CubLayout.captionFile(captions, paths.get(3));
        Files.write(few, Files.readAllLines(few).subList(0, 4), StandardCharsets.UTF_8);
        List<String> boxes = new ArrayList<>(Files.readAllLines(root.resolve(CubLayout.BOXES_FILE)));
        boxes.set(4, "5 400.0 10.0 50.0 50.0");
        Files.write(root.resolve(CubLayout.BOXES_FILE), boxes);
        Path latin1 = CubLayout.captionFile(captions, paths.get(5));
        Files.write(latin1, (String.join("\n", Files.readAllLines(latin1)) + "\nun oiseau tr\u00e8s jaune\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        LoadSummary train = CubDataset.load(copy, null, Split.CUB_IMAGE, true, 64).summary();
        LoadSummary test = CubDataset.load(copy, null, Split.CUB_IMAGE, false, 64).summary();
        assertEquals(COUNT - 6, train.loaded() + test.loaded());
        for (SkipReason reason : List.of(SkipReason.MISSING_IMAGE, SkipReason.CORRUPT_IMAGE,
                SkipReason.MISSING_CAPTIONS, SkipReason.TOO_FEW_CAPTIONS, SkipReason.BOX_OUTSIDE_IMAGE,
                SkipReason.NON_UTF8_CAPTIONS)) {
            assertEquals(1, train.count(reason) + test.count(reason), reason.toString());
        }
        String report = train + "\n" + test;
        for (int i = 0; i < 6; i++) {
            assertTrue(report.contains(paths.get(i)), "report names " + paths.get(i) + ":\n" + report);
        }
    }

    @Test
    void acceptsTheCaptionFolderNamedText() throws IOException {
        Path copy = TestData.copy(birds, dir.resolve("text-folder"));
        Files.move(copy.resolve(CubLayout.CAPTIONS_DIR), copy.resolve(CubLayout.CAPTIONS_DIR_ALTERNATIVE));
        assertEquals(COUNT, CubDataset.load(copy, null, Split.CUB_IMAGE, true, 64).size()
                + CubDataset.load(copy.resolve(CubLayout.ROOT), copy, Split.CUB_IMAGE, false, 64).size());
    }

    @Test
    void missingIndexFileOrFolderFailsNamingThePath() throws IOException {
        Path copy = TestData.copy(birds, dir.resolve("incomplete"));
        Path boxes = copy.resolve(CubLayout.ROOT).resolve(CubLayout.BOXES_FILE);
        Files.delete(boxes);
        DataLayoutException missingFile = assertThrows(DataLayoutException.class,
                () -> CubDataset.load(copy, null, Split.STACKGAN_CLASS, true, 64));
        assertTrue(missingFile.getMessage().contains(boxes.toString()), missingFile.getMessage());

        Path withoutCaptions = TestData.copy(birds.resolve(CubLayout.ROOT), dir.resolve("uncaptioned")
                .resolve(CubLayout.ROOT));
        DataLayoutException noDefault = assertThrows(DataLayoutException.class,
                () -> CubDataset.load(withoutCaptions, null, Split.STACKGAN_CLASS, true, 64));
        assertTrue(noDefault.getMessage().contains(withoutCaptions.resolveSibling(CubLayout.CAPTIONS_DIR).toString()),
                noDefault.getMessage());

        Path noCaptions = dir.resolve("no-captions");
        DataLayoutException missingFolder = assertThrows(DataLayoutException.class,
                () -> CubDataset.load(birds, noCaptions, Split.STACKGAN_CLASS, true, 64));
        assertTrue(missingFolder.getMessage().contains(noCaptions.toString()), missingFolder.getMessage());
    }

    private static int indexOf(CubDataset data, int imageId) {
        for (int i = 0; i < data.size(); i++) {
            if (data.imageId(i) == imageId) {
                return i;
            }
        }
        throw new AssertionError("no image " + imageId);
    }

    private static float[] mirror(float[] chw, int size) {
        float[] out = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * size + y) * size + x] = chw[(c * size + y) * size + size - 1 - x];
                }
            }
        }
        return out;
    }

    private static float[] averagePool(float[] chw, int size, int factor) {
        int small = size / factor;
        float[] out = new float[3 * small * small];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * small + y / factor) * small + x / factor] += chw[(c * size + y) * size + x]
                            / (factor * factor);
                }
            }
        }
        return out;
    }
}
