package dev.stackgan.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.onnx.BundleExporter;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RenderGridTest {

    @TempDir
    Path dir;

    @Test
    void rendersOneRowPerCaptionAndAStageOneAndStageTwoImagePerSeed() throws Exception {
        List<String> captions = List.of("this bird has a red crown and blue wings",
                "a small yellow bird with a white belly", "an unused third line");
        Vocabulary vocabulary = Vocabulary.build(captions, 1);
        ModelConfig config = Preset.TINY.model(vocabulary.size());
        Path bundle = BundleExporter.exportFresh(dir.resolve("bundles"), "grid-test", config, vocabulary, 5);
        Path captionFile = Files.write(dir.resolve("captions.txt"), captions);
        Path png = dir.resolve("grid.png");

        assertEquals(0, TrainerCommand.execute("render-grid", "--bundle", bundle.toString(), "--captions",
                captionFile.toString(), "--rows", "2", "--seeds", "1,2", "--out", png.toString()));

        BufferedImage grid = ImageIO.read(png.toFile());
        int large = config.stage2().imageSize();
        assertEquals(RenderGrid.GAP + 2 * (large / 2 + RenderGrid.GAP + large + RenderGrid.GAP), grid.getWidth());
        assertEquals(2 * (RenderGrid.CAPTION_HEIGHT + large + RenderGrid.GAP) + RenderGrid.GAP, grid.getHeight());
        // the Stage-II images of seed 1 and seed 2 in the first row
        int y = RenderGrid.GAP + RenderGrid.CAPTION_HEIGHT;
        int x1 = RenderGrid.GAP + large / 2 + RenderGrid.GAP;
        int x2 = x1 + large + RenderGrid.GAP + large / 2 + RenderGrid.GAP;
        int[] seed1 = grid.getRGB(x1, y, large, large, null, 0, large);
        int[] seed2 = grid.getRGB(x2, y, large, large, null, 0, large);
        assertFalse(Arrays.equals(seed1, seed2), "two seeds drew the same image");
        // the same seed and caption render the same pixels again
        Path again = dir.resolve("again.png");
        assertEquals(0, TrainerCommand.execute("render-grid", "--bundle", bundle.toString(), "--captions",
                captionFile.toString(), "--rows", "2", "--seeds", "1,2", "--out", again.toString()));
        BufferedImage second = ImageIO.read(again.toFile());
        assertEquals(Arrays.toString(seed1), Arrays.toString(second.getRGB(x1, y, large, large, null, 0, large)));

        // the README's JPEG: a JPEG file, the same grid within what lossy compression changes
        Path jpeg = dir.resolve("grid.jpg");
        assertEquals(0, TrainerCommand.execute("render-grid", "--bundle", bundle.toString(), "--captions",
                captionFile.toString(), "--rows", "2", "--seeds", "1,2", "--out", jpeg.toString()));
        BufferedImage lossy = ImageIO.read(jpeg.toFile());
        assertEquals(grid.getWidth(), lossy.getWidth());
        assertEquals(grid.getHeight(), lossy.getHeight());
        assertTrue(meanAbsoluteDifference(seed1, lossy.getRGB(x1, y, large, large, null, 0, large)) < 8,
                "JPEG at quality " + RenderGrid.JPEG_QUALITY + " keeps the picture");
        byte[] start = Arrays.copyOf(Files.readAllBytes(jpeg), 2);
        assertEquals("ffd8", String.format("%02x%02x", start[0], start[1]), "JPEG's start-of-image marker");
        StringWriter err = new StringWriter();
        CommandLine command = TrainerCommand.commandLine();
        command.setErr(new PrintWriter(err, true));
        assertEquals(2, command.execute("render-grid", "--bundle", bundle.toString(), "--captions",
                captionFile.toString(), "--out", dir.resolve("grid.gif").toString()));
        assertTrue(err.toString().contains("--out must end in .png, .jpg or .jpeg, got 'grid.gif'"), err.toString());
        assertTrue(Files.notExists(dir.resolve("grid.gif")));
    }

    /** Mean absolute difference over the R, G and B levels of two equally long pixel arrays. */
    private static double meanAbsoluteDifference(int[] a, int[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                sum += Math.abs((a[i] >> shift & 0xff) - (b[i] >> shift & 0xff));
            }
        }
        return sum / (3.0 * a.length);
    }
}
