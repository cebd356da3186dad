package dev.stackgan.trainer.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.trainer.run.Batches;
import dev.stackgan.trainer.run.ImageGrid;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Renders a bundle's images for the README with ONNX Runtime, as serving would draw them: one row per caption (the
 * caption above it), and for each seed the Stage-I image (scaled up, nearest, to half the Stage-II side) beside the
 * Stage-II image. A seed's noise is drawn as serving's {@code Seeds} does: {@code Random(seed)} gives the Stage-I CA
 * epsilon, the Stage-II CA epsilon and z, in that order.
 */
@Command(name = "render-grid",
        description = "Renders a bundle's Stage-I and Stage-II images, captions x seeds, to a PNG or JPEG.")
public final class RenderGrid implements Callable<Integer> {

    static final int GAP = 4;
    static final int CAPTION_HEIGHT = 22;
    /** The README's 5 x 4 grid is a JPEG at this quality: 0.37 MB against the PNG's 3.4 MB, no visible artifact. */
    static final float JPEG_QUALITY = 0.85f;

    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "the bundle directory")
    Path bundle;
    @Option(names = "--captions", required = true, paramLabel = "FILE", description = "captions, one per line")
    Path captions;
    @Option(names = "--rows", defaultValue = "4", paramLabel = "N",
            description = "the first N captions (default: ${DEFAULT-VALUE})")
    int rows;
    @Option(names = "--seeds", defaultValue = "1,2,3,4", split = ",", paramLabel = "N",
            description = "one column per seed (default: ${DEFAULT-VALUE})")
    long[] seeds;
    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "the image to write: .png, or .jpg / .jpeg (quality 0.85)")
    Path out;

    @Override
    public Integer call() throws IOException, BundleException, OrtException {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean jpeg = name.endsWith(".jpg") || name.endsWith(".jpeg");
        if (!jpeg && !name.endsWith(".png")) {
            throw new IllegalArgumentException("--out must end in .png, .jpg or .jpeg, got '" + out.getFileName()
                    + "'");
        }
        List<String> lines = Files.readAllLines(captions, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(line -> !line.isEmpty()).limit(rows).toList();
        BufferedImage grid = render(BundleReader.read(bundle), lines, seeds);
        if (jpeg) {
            writeJpeg(grid, out);
        } else {
            ImageIO.write(grid, "png", out.toFile());
        }
        System.out.println("wrote " + out + ": " + lines.size() + " captions x " + seeds.length + " seeds");
        return 0;
    }

    private static void writeJpeg(BufferedImage image, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam quality = writer.getDefaultWriteParam();
        quality.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        quality.setCompressionQuality(JPEG_QUALITY);
        Files.deleteIfExists(file); // the stream below writes over an existing file without truncating it
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), quality);
        } finally {
            writer.dispose();
        }
    }

    /** The grid of {@code captions} x {@code seeds}. */
    public static BufferedImage render(ModelBundle bundle, List<String> captions, long[] seeds) throws OrtException {
        ModelConfig config = bundle.manifest().modelConfig();
        int n = captions.size() * seeds.length;
        int c = config.conditionDim();
        int z = config.noiseDim();
        float[] ca1 = new float[n * c];
        float[] ca2 = new float[n * c];
        float[] noise = new float[n * z];
        List<String> itemCaptions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            itemCaptions.add(captions.get(i / seeds.length));
            Random random = new Random(seeds[i % seeds.length]);
            System.arraycopy(Batches.gaussian(random, c), 0, ca1, i * c, c);
            System.arraycopy(Batches.gaussian(random, c), 0, ca2, i * c, c);
            System.arraycopy(Batches.gaussian(random, z), 0, noise, i * z, z);
        }
        long[] ids = bundle.vocabulary().tokenIds(itemCaptions, config.text().maxWords());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] small;
        float[] large;
        try (OrtSession text = session(bundle, ModelGraphs.TEXT_ENCODER);
             OrtSession stage1 = session(bundle, ModelGraphs.STAGE1);
             OrtSession stage2 = session(bundle, ModelGraphs.STAGE2);
             OnnxTensor tokens = OnnxTensor.createTensor(env, LongBuffer.wrap(ids),
                     new long[] {n, config.text().maxWords()});
             OnnxTensor epsilon1 = OnnxTensor.createTensor(env, FloatBuffer.wrap(ca1), new long[] {n, c});
             OnnxTensor epsilon2 = OnnxTensor.createTensor(env, FloatBuffer.wrap(ca2), new long[] {n, c});
             OnnxTensor zs = OnnxTensor.createTensor(env, FloatBuffer.wrap(noise), new long[] {n, z});
             OrtSession.Result conditions = text.run(Map.of(ModelGraphs.TOKEN_IDS, tokens,
                     ModelGraphs.STAGE1_CA_NOISE, epsilon1, ModelGraphs.STAGE2_CA_NOISE, epsilon2));
             OrtSession.Result images1 = stage1.run(Map.of(ModelGraphs.CONDITION,
                     (OnnxTensor) conditions.get(ModelGraphs.STAGE1_C).orElseThrow(), ModelGraphs.NOISE, zs));
             OrtSession.Result images2 = stage2.run(Map.of(ModelGraphs.STAGE1_IMAGE,
                     (OnnxTensor) images1.get(ModelGraphs.IMAGE).orElseThrow(), ModelGraphs.CONDITION,
                     (OnnxTensor) conditions.get(ModelGraphs.STAGE2_C).orElseThrow()))) {
            small = floats(images1);
            large = floats(images2);
        }
        return layout(captions, seeds.length, small, config.stage1().imageSize(), large,
                config.stage2().imageSize());
    }

    /** On the CPU with all graph optimizations, as the serving runtime's defaults run it. */
    private static OrtSession session(ModelBundle bundle, String graph) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            return OrtEnvironment.getEnvironment().createSession(bundle.graphFile(graph).toString(), options);
        }
    }

    private static float[] floats(OrtSession.Result result) throws OrtException {
        FloatBuffer buffer = ((OnnxTensor) result.get(ModelGraphs.IMAGE).orElseThrow()).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    /** Width of a grid of {@code seeds} columns: each a Stage-I image at half the Stage-II side and a Stage-II one. */
    static int width(int seeds, int stage2Size) {
        return GAP + seeds * (stage2Size / 2 + GAP + stage2Size + GAP);
    }

    static int height(int rows, int stage2Size) {
        return rows * (CAPTION_HEIGHT + stage2Size + GAP) + GAP;
    }

    private static BufferedImage layout(List<String> captions, int seeds, float[] small, int smallSize,
                                        float[] large, int largeSize) {
        BufferedImage grid = new BufferedImage(width(seeds, largeSize), height(captions.size(), largeSize),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(Color.BLACK);
            for (int row = 0; row < captions.size(); row++) {
                int y = GAP + row * (CAPTION_HEIGHT + largeSize + GAP);
                g.drawString(captions.get(row), GAP, y + CAPTION_HEIGHT - 7);
                for (int s = 0; s < seeds; s++) {
                    int item = row * seeds + s;
                    int x = GAP + s * (largeSize / 2 + GAP + largeSize + GAP);
                    g.drawImage(ImageGrid.image(small, item, smallSize), x, y + CAPTION_HEIGHT, largeSize / 2,
                            largeSize / 2, null);
                    g.drawImage(ImageGrid.image(large, item, largeSize), x + largeSize / 2 + GAP, y + CAPTION_HEIGHT,
                            null);
                }
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
