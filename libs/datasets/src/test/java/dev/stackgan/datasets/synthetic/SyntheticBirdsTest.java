package dev.stackgan.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.text.Tokenizer;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.TestData;
import dev.stackgan.fixtures.ExampleCaptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticBirdsTest {

    private static final int COUNT = 80;

    @TempDir
    static Path dir;
    static Path birds;

    @BeforeAll
    static void generate() throws IOException {
        birds = TestData.birds(dir.resolve("a"), COUNT, 42);
    }

    @Test
    void sameSeedWritesIdenticalFilesAndAnotherSeedDoesNot() throws Exception {
        Path again = TestData.birds(dir.resolve("b"), COUNT, 42);
        Path other = TestData.birds(dir.resolve("c"), COUNT, 43);
        assertEquals(treeHash(birds), treeHash(again));
        assertNotEquals(treeHash(birds), treeHash(other));
    }

    @Test
    void writesTheCubLayoutWithTenCaptionsPerImage() throws IOException {
        Path cub = birds.resolve(CubLayout.ROOT);
        for (String file : List.of(CubLayout.IMAGES_FILE, CubLayout.BOXES_FILE, CubLayout.LABELS_FILE,
                CubLayout.SPLIT_FILE)) {
            assertEquals(COUNT, Files.readAllLines(cub.resolve(file)).size(), file);
        }
        assertEquals(Species.COUNT, Files.readAllLines(cub.resolve(CubLayout.CLASSES_FILE)).size());
        for (String line : Files.readAllLines(cub.resolve(CubLayout.IMAGES_FILE))) {
            String image = line.split(" ")[1];
            assertTrue(Files.isRegularFile(cub.resolve(CubLayout.IMAGES_DIR).resolve(image)), image);
            Path captions = CubLayout.captionFile(birds.resolve(CubLayout.CAPTIONS_DIR), image);
            assertEquals(CubLayout.CAPTIONS_PER_IMAGE, Files.readAllLines(captions).size(), captions.toString());
        }
    }

    /** Every colour word directly before a part word names that part's true colour. */
    @Test
    void captionsOnlyStateTrueColours() throws IOException {
        Path cub = birds.resolve(CubLayout.ROOT);
        List<String> rows = Files.readAllLines(cub.resolve(SyntheticBirds.ATTRIBUTES_FILE));
        assertEquals(COUNT + 1, rows.size());
        int checked = 0;
        for (String row : rows.subList(1, rows.size())) {
            List<String> fields = List.of(row.split("\t"));
            BirdAttributes truth = BirdAttributes.parse(fields.subList(3, 3 + BirdAttributes.TSV_COLUMNS.size()));
            Path captions = CubLayout.captionFile(birds.resolve(CubLayout.CAPTIONS_DIR), fields.get(1));
            for (String caption : Files.readAllLines(captions, StandardCharsets.UTF_8)) {
                List<String> words = Tokenizer.words(caption);
                for (int i = 0; i + 1 < words.size(); i++) {
                    BirdColour said = BirdColour.fromWord(words.get(i));
                    String part = words.get(i + 1);
                    if (said != null && BirdAttributes.isPartWord(part)) {
                        assertEquals(truth.colourOfPart(part), said, "'" + caption + "' about " + part + " of "
                                + truth);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > COUNT * 10, "only " + checked + " colour-part pairs checked");
    }

    @Test
    void captionVocabularyCoversRealCubCaptions() throws IOException {
        List<String> generated = new ArrayList<>();
        try (Stream<Path> files = Files.walk(birds.resolve(CubLayout.CAPTIONS_DIR))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                generated.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        Vocabulary vocabulary = Vocabulary.build(generated, 1);
        Set<String> real = new LinkedHashSet<>();
        for (String line : ExampleCaptions.lines()) {
            real.addAll(Tokenizer.words(line));
        }
        List<String> missing = real.stream().filter(w -> !vocabulary.contains(w)).toList();
        double coverage = 100.0 * (real.size() - missing.size()) / real.size();
        System.out.printf("synthetic captions cover %.1f %% of the %d distinct words of the real CUB captions;"
                + " missing: %s%n", coverage, real.size(), missing);
        assertTrue(coverage >= 90, "coverage " + coverage + " %, missing " + missing);
    }

    private static String treeHash(Path root) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(root.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(file));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
