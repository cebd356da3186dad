package dev.stackgan.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.networks.onnx.OnnxGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Sections 1 and 4: ONNX Runtime against PyTorch eager on the same weights and inputs, per graph and for the chain,
 * and each graph's FLOPs against the CPU's measured peak.
 */
public final class InferenceBench {

    public static final String CHAIN = "chain";
    /** Square size of the peak-FLOPs matrix product. */
    public static final int PEAK_SIZE = 2048;

    /** One graph (or the chain) at one batch size; FLOPs are per image. */
    public record Result(String preset, String graph, int batch, LatencyStats eager, LatencyStats ort,
                         long flopsPerImage) {

        /** PyTorch eager time over ONNX Runtime time, at the median. */
        public double speedup() {
            return eager.p50() / ort.p50();
        }

        /** Achieved FLOP/s of ONNX Runtime at the median latency. */
        public double ortFlops() {
            return flopsPerImage * (double) batch / (ort.p50() / 1e3);
        }
    }

    private final Stopwatch stopwatch;
    private final int threads;

    public InferenceBench(Stopwatch stopwatch, int threads) {
        this.stopwatch = stopwatch;
        this.threads = threads;
    }

    /** Measurements per preset and batch size: three graphs and the chain, each on both engines. */
    public static int measurements(int presets, int batches) {
        return presets * batches * (ModelGraphs.ALL.size() + 1) * 2;
    }

    /** FLOP/s of a {@value #PEAK_SIZE}-square single-precision MatMul in ONNX Runtime at its fastest run. */
    public double peakFlops() throws Exception {
        int n = PEAK_SIZE;
        OnnxGraph graph = new OnnxGraph("peak_matmul");
        String a = graph.input(TensorSpec.float32("a", n, n));
        float[] values = new float[n * n];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        String product = graph.node("MatMul", List.of(a, graph.floats("b", values, n, n)));
        graph.output(product, TensorSpec.float32("y", n, n));
        try (OrtSession session = OrtBench.session(graph.toModel("bench").toByteArray(), threads);
             OnnxTensor input = OnnxTensor.createTensor(OrtBench.ENV, java.nio.FloatBuffer.wrap(values),
                     new long[] {n, n})) {
            LatencyStats stats = stopwatch.time("peak MatMul " + n + "^2", () -> OrtBench.run(session,
                    Map.of(a, input)));
            return 2.0 * n * n * n / (stats.min() / 1e3);
        }
    }

    public List<Result> run(String preset, ModelConfig config, int[] batches) throws Exception {
        List<Result> results = new ArrayList<>();
        try (EagerGraphs eager = new EagerGraphs(config, 1)) {
            Map<String, byte[]> bytes = eager.export();
            Map<String, OrtSession> sessions = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, byte[]> e : bytes.entrySet()) {
                    sessions.put(e.getKey(), OrtBench.session(e.getValue(), threads));
                }
                Map<String, Long> flops = flopsPerImage(config, bytes);
                for (int batch : batches) {
                    results.addAll(atBatch(preset, eager, sessions, flops, batch));
                }
            } finally {
                for (OrtSession session : sessions.values()) {
                    session.close();
                }
            }
        }
        return results;
    }

    /** FLOPs of one image through each graph, counted from the graph with shapes reported at batch 1. */
    static Map<String, Long> flopsPerImage(ModelConfig config, Map<String, byte[]> graphs) throws Exception {
        Map<String, Long> flops = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : graphs.entrySet()) {
            ModelProto model = ModelProto.parseFrom(e.getValue());
            Map<String, OnnxTensor> feeds = new Feeds(ModelGraphs.forName(e.getKey(), config), 1,
                    config.text().vocabularySize(), 1).tensors(OrtBench.ENV);
            try {
                flops.put(e.getKey(), FlopCounter.total(FlopCounter.byOperator(model,
                        OrtBench.outputShapes(model, feeds))));
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
        flops.put(CHAIN, flops.values().stream().mapToLong(Long::longValue).sum());
        return flops;
    }

    private List<Result> atBatch(String preset, EagerGraphs eager, Map<String, OrtSession> sessions,
                                 Map<String, Long> flops, int batch) throws Exception {
        List<Result> results = new ArrayList<>();
        ModelConfig config = eager.config;
        Map<String, Feeds> feeds = new LinkedHashMap<>();
        for (String graph : ModelGraphs.ALL) {
            feeds.put(graph, new Feeds(ModelGraphs.forName(graph, config), batch, config.text().vocabularySize(),
                    batch));
        }
        try (NDManager inputs = eager.manager().newSubManager()) {
            Map<String, Map<String, NDArray>> arrays = new LinkedHashMap<>();
            Map<String, Map<String, OnnxTensor>> tensors = new LinkedHashMap<>();
            try {
                for (String graph : ModelGraphs.ALL) {
                    arrays.put(graph, feeds.get(graph).arrays(inputs));
                    tensors.put(graph, feeds.get(graph).tensors(OrtBench.ENV));
                }
                for (String graph : ModelGraphs.ALL) {
                    String label = preset + " " + graph + " b" + batch;
                    LatencyStats pt = stopwatch.time(label + " pytorch",
                            () -> eagerRun(eager, arrays.get(graph), in -> eager.run(graph, in)));
                    LatencyStats ort = stopwatch.time(label + " ort",
                            () -> OrtBench.run(sessions.get(graph), tensors.get(graph)));
                    results.add(new Result(preset, graph, batch, pt, ort, flops.get(graph)));
                }
                Map<String, NDArray> chainIn = new LinkedHashMap<>(arrays.get(ModelGraphs.TEXT_ENCODER));
                chainIn.put(ModelGraphs.NOISE, arrays.get(ModelGraphs.STAGE1).get(ModelGraphs.NOISE));
                String label = preset + " chain b" + batch;
                LatencyStats pt = stopwatch.time(label + " pytorch", () -> eagerRun(eager, chainIn, eager::chain));
                LatencyStats ort = stopwatch.time(label + " ort", () -> ortChain(sessions,
                        tensors.get(ModelGraphs.TEXT_ENCODER), tensors.get(ModelGraphs.STAGE1).get(ModelGraphs.NOISE)));
                results.add(new Result(preset, CHAIN, batch, pt, ort, flops.get(CHAIN)));
            } finally {
                tensors.values().forEach(m -> m.values().forEach(OnnxTensor::close));
            }
        }
        return results;
    }

    /** Runs eager work with its inputs moved into a scope, so that every intermediate array is freed after it. */
    private static void eagerRun(EagerGraphs eager, Map<String, NDArray> in,
                                 java.util.function.Function<Map<String, NDArray>, NDArray> work) {
        try (NDManager scope = eager.manager().newSubManager()) {
            in.values().forEach(a -> a.tempAttach(scope));
            work.apply(in);
        }
    }

    /** The chain as the gateway runs it: three sessions, each output tensor handed on without a copy. */
    static void ortChain(Map<String, OrtSession> sessions, Map<String, OnnxTensor> textIn, OnnxTensor z)
            throws OrtException {
        ortChain(sessions, textIn, z, images -> { });
    }

    /** What a chain's caller does with Stage-II's output before it is released. */
    interface ImageUse {
        void accept(OnnxTensor images) throws OrtException;
    }

    /** The chain, with Stage-II's output given to {@code image}. */
    static void ortChain(Map<String, OrtSession> sessions, Map<String, OnnxTensor> textIn, OnnxTensor z,
                         ImageUse imageUse) throws OrtException {
        try (OrtSession.Result text = sessions.get(ModelGraphs.TEXT_ENCODER).run(textIn)) {
            OnnxTensor c1 = (OnnxTensor) text.get(ModelGraphs.STAGE1_C).orElseThrow();
            OnnxTensor c2 = (OnnxTensor) text.get(ModelGraphs.STAGE2_C).orElseThrow();
            try (OrtSession.Result image1 = sessions.get(ModelGraphs.STAGE1).run(
                    Map.of(ModelGraphs.CONDITION, c1, ModelGraphs.NOISE, z))) {
                OnnxTensor image = (OnnxTensor) image1.get(ModelGraphs.IMAGE).orElseThrow();
                try (OrtSession.Result image2 = sessions.get(ModelGraphs.STAGE2).run(
                        Map.of(ModelGraphs.STAGE1_IMAGE, image, ModelGraphs.CONDITION, c2))) {
                    imageUse.accept((OnnxTensor) image2.get(ModelGraphs.IMAGE).orElseThrow());
                }
            }
        }
    }
}
