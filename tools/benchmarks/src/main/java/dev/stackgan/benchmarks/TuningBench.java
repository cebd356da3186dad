package dev.stackgan.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.datasets.Batch;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.Split;
import dev.stackgan.serving.AtanhRewrite;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The Tuning section's in-process rows: each setting the serving path exposes, two values side by side in one run
 * ({@link Stopwatch#compare}), on the {@code small} preset at batch 1: ONNX Runtime spinning, graph optimization
 * level, intra-op threads and batch-norm folding on the three-session chain as the gateway runs it; the rewrite of
 * Stage-II's residual output on the shipped bundle's chain; PNG encoding of one 256 px picture, and the trainer's
 * native allocator ({@link AllocatorBench}, in child processes).
 */
public final class TuningBench {

    /** Timed training steps per allocator and stage (AllocatorBench). */
    static final int ALLOCATOR_STEPS = 8;

    /** PNG settings the gateway uses by default (GatewayConfiguration, the gateway's application.yml). */
    static final PngEncoder GATEWAY_PNG = new PngEncoder(1, PngEncoder.Filter.SUB, PngEncoder.Strategy.HUFFMAN_ONLY);
    /** The gateway's PNG settings before Huffman-only coding: zlib's string matching at level 1. */
    static final PngEncoder LEVEL_1_SUB = new PngEncoder(1, PngEncoder.Filter.SUB);

    /**
     * One setting, two values: {@code a} usually the value before this change, {@code b} the other. {@code note}
     * adds what the latency does not say (PNG sizes); {@code servingDefault} is the value the code now uses.
     */
    public record Row(String setting, String timed, String a, String b, LatencyStats aStats, LatencyStats bStats,
                      String note, String servingDefault) {

        public double ratio() {
            return bStats.p50() / aStats.p50();
        }
    }

    private final Stopwatch stopwatch;
    private final int cores;

    public TuningBench(Stopwatch stopwatch, int cores) {
        this.stopwatch = stopwatch;
        this.cores = cores;
    }

    /** Stopwatch measurements {@link #run} takes. */
    public static int measurements() {
        return 8;
    }

    public List<Row> run(ModelConfig config, Path work) throws Exception {
        List<Row> rows = new ArrayList<>();
        String chain = "chain of 3 sessions, batch 1";
        OrtBench.Settings serving = OrtBench.Settings.serving(cores);
        try (EagerGraphs nets = new EagerGraphs(config, 1)) {
            Map<String, byte[]> graphs = nets.export();
            rows.add(row("ORT allow spinning", chain, "on (ORT default; before)", "off",
                    chainPair("spinning on/off", graphs, serving.withSpinning(true), graphs, serving, config),
                    "", "off"));
            rows.add(row("ORT graph optimization level", chain, "basic", "all (before)",
                    chainPair("opt basic/all", graphs, serving.withLevel(OptLevel.BASIC_OPT), graphs, serving,
                            config), "", "all"));
            rows.add(row("ORT intra-op threads", chain, cores + " (one per core; before)", "1",
                    chainPair("intra-op " + cores + "/1", graphs, serving, graphs, serving.withThreads(1), config),
                    "", "0 (one per core)"));
            rows.add(row("batch norm folded into Conv / Gemm at export", chain + ", all optimizations",
                    "no (before)", "yes", chainPair("bn fold no/yes", graphs, serving, nets.export(true), serving,
                            config), "", "no (GraphExporter option)"));
        }
        rows.add(residualRow(work, serving));
        rows.addAll(png(work));
        rows.addAll(AllocatorBench.rows(ALLOCATOR_STEPS));
        return rows;
    }

    private static Row row(String setting, String timed, String a, String b, LatencyStats[] stats, String note,
                           String servingDefault) {
        return new Row(setting, timed, a, b, stats[0], stats[1], note, servingDefault);
    }

    /** The chain on sessions of graphs {@code a} with settings {@code sa} against {@code b} with {@code sb}. */
    private LatencyStats[] chainPair(String label, Map<String, byte[]> a, OrtBench.Settings sa, Map<String, byte[]> b,
                                     OrtBench.Settings sb, ModelConfig config) throws Exception {
        Map<String, OnnxTensor> text = new Feeds(ModelGraphs.textEncoder(config), 1, config.text().vocabularySize(),
                7).tensors(OrtBench.ENV);
        Map<String, OnnxTensor> stage1 = new Feeds(ModelGraphs.stage1(config), 1, config.text().vocabularySize(),
                7).tensors(OrtBench.ENV);
        OnnxTensor z = stage1.get(ModelGraphs.NOISE);
        Map<String, OrtSession> sessionsA = new LinkedHashMap<>();
        Map<String, OrtSession> sessionsB = new LinkedHashMap<>();
        try {
            for (String graph : ModelGraphs.ALL) {
                sessionsA.put(graph, OrtBench.session(a.get(graph), sa));
                sessionsB.put(graph, OrtBench.session(b.get(graph), sb));
            }
            return stopwatch.compare("tuning " + label, () -> InferenceBench.ortChain(sessionsA, text, z),
                    () -> InferenceBench.ortChain(sessionsB, text, z));
        } finally {
            for (OrtSession session : sessionsA.values()) {
                session.close();
            }
            for (OrtSession session : sessionsB.values()) {
                session.close();
            }
            text.values().forEach(OnnxTensor::close);
            stage1.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The shipped bundle's graphs as exported, Stage-II's residual output through ONNX Runtime's scalar Atanh kernel,
     * against the same graphs as the serving runtime loads them ({@link AtanhRewrite}).
     */
    private Row residualRow(Path work, OrtBench.Settings serving) throws Exception {
        ModelBundle bundle = ShippedBundle.promote(Files.createDirectories(work.resolve("shipped-residual")));
        Map<String, byte[]> exported = new LinkedHashMap<>();
        Map<String, byte[]> rewritten = new LinkedHashMap<>();
        for (String graph : ModelGraphs.ALL) {
            exported.put(graph, Files.readAllBytes(bundle.graphFile(graph)));
            rewritten.put(graph, AtanhRewrite.apply(exported.get(graph)));
        }
        return row("Atanh of Stage-II's residual output", "chain of 3 sessions of the shipped bundle, batch 1",
                "ONNX Atanh, as exported (before)", "0.5 * log((1 + x) / (1 - x)), rewritten at load",
                chainPair("residual atanh/rewritten", exported, serving, rewritten, serving,
                        bundle.manifest().modelConfig()), "", "rewritten (AtanhRewrite)");
    }

    /**
     * PNG encoding of one 256 px synthetic bird (cropped and scaled as training sees it): ImageIO's writer fed through
     * setRGB, as the gateway did first, against zlib level 1 with the Sub filter; then that against Huffman coding
     * alone, on the bird and on a picture the shipped model drew (noisier, as generated pictures are).
     */
    private List<Row> png(Path work) throws Exception {
        Path data = SyntheticImages.dataset(work);
        CubDataset dataset = CubDataset.load(data.resolve(CubLayout.ROOT), null, Split.STACKGAN_CLASS, true, 256);
        Batch batch = dataset.epoch(1, new Random(1), true).next();
        int size = 256;
        byte[] bird = PngEncoder.rgbFromTanh(FloatBuffer.wrap(batch.images()[0]), 0, size, size);
        int[] bytes = new int[2];
        LatencyStats[] stats = stopwatch.compare("tuning png imageio/fast", () -> {
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < size * size; p++) {
                image.setRGB(p % size, p / size, (bird[3 * p] & 0xff) << 16 | (bird[3 * p + 1] & 0xff) << 8
                        | bird[3 * p + 2] & 0xff);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            bytes[0] = out.size();
        }, () -> bytes[1] = LEVEL_1_SUB.encode(bird, size, size).length);
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("gateway PNG encoding", "one 256 px synthetic bird", "ImageIO default (before)",
                "zlib level 1, filter sub", stats[0], stats[1], String.format("%,d vs %,d bytes", bytes[0],
                bytes[1]), "level 1, sub"));
        rows.add(strategyRow("one 256 px synthetic bird", bird, size));
        rows.add(strategyRow("one 256 px picture of the shipped model", ShippedBundle.picture(work, cores), size));
        return rows;
    }

    /** zlib's string matching at level 1 against Huffman coding alone, both after the Sub filter. */
    private Row strategyRow(String timed, byte[] rgb, int size) throws Exception {
        int[] bytes = new int[2];
        LatencyStats[] stats = stopwatch.compare("tuning png strategy " + timed,
                () -> bytes[0] = LEVEL_1_SUB.encode(rgb, size, size).length,
                () -> bytes[1] = GATEWAY_PNG.encode(rgb, size, size).length);
        return new Row("gateway PNG deflate strategy", timed, "string matching, level 1 (before)",
                "Huffman coding only", stats[0], stats[1], String.format("%,d vs %,d bytes", bytes[0], bytes[1]),
                "huffman-only");
    }
}
