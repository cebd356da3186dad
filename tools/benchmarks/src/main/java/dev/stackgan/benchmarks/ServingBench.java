package dev.stackgan.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.fixtures.ExampleCaptions;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.proto.v1.StageTimings;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.trainer.cli.ExportFreshBundle;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sections 2, 3 and 6 on the real serving stack (four child processes, a fresh {@code small} bundle): the gateway's
 * latency against the same three ONNX Runtime calls in this process, throughput and latency under concurrent
 * clients with dynamic batching on and off, and each service's start-up time and memory.
 */
public final class ServingBench {

    static final String PROMPT = "a small bird with a red crown and black wings";
    static final long SEED = 7;
    static final int[] CLIENTS = {1, 4, 16};
    /** The model services' default batch size (application.yml) and "off". */
    static final int[] BATCH_SIZES = {8, 1};

    /** Latency of one 256 px image by one path. */
    public record Overhead(String path, LatencyStats latency) {
    }

    /** Medians of the gateway's own per-stage timings (GenerateResponse.timings, whole ms) over the gRPC runs. */
    public record GatewayTimings(double textEncoderMs, double stage1Ms, double stage2Ms, double totalMs) {
    }

    /** One load point: images/s over the run, latency of every request, failed requests. */
    public record Load(int maxBatchSize, int clients, double imagesPerSecond, LatencyStats latency, long errors) {
    }

    /** Start-up seconds per start and resident memory (KiB) idle and at peak under the heaviest load. */
    public record Footprint(String module, List<Double> startupSeconds, long idleRssKib, long loadedRssKib) {
    }

    /**
     * One hop's fixed cost: the text encoder graph alone in this process against a direct gRPC Encode call from this
     * process to the text encoder service (batching on), the same caption and seed as the gateway's request.
     */
    public record TextEncoderHop(LatencyStats graph, LatencyStats directCall) {
    }

    /**
     * One section 7 row: a second stack started with {@code other} beside the current one (batching on), both
     * called with the gateway gRPC Generate request in alternating blocks. The second stack is side a when
     * {@code otherIsA}, else side b; {@code name} labels the progress line and the logs directory.
     */
    public record StackComparison(String name, String setting, String timed, String a, String b, String defaultNow,
                                  ServingStack.Options other, boolean otherIsA) {
    }

    /** A comparison's latency and the gateway's per-stage timings, side a and side b. */
    public record ComparedStacks(StackComparison comparison, LatencyStats a, LatencyStats b,
                                 GatewayTimings aTimings, GatewayTimings bTimings) {
    }

    /** {@code comparisons} is empty unless they were asked for. */
    public record Results(List<Overhead> overhead, GatewayTimings gatewayTimings, TextEncoderHop textEncoderHop,
                          List<Load> load, List<Footprint> footprint, List<ComparedStacks> comparisons) {
    }

    private static final String GENERATE = "gateway gRPC Generate, one 256 px image";

    /** The serving settings section 7 compares (docs/benchmarks.md, Tuning). */
    static final List<StackComparison> STACK_COMPARISONS = List.of(
            // the model services' settings as they were before the tuning change
            new StackComparison("old-defaults", "model services: ORT spinning and idle batching", GENERATE,
                    "spinning on, lone request waits 5 ms (before)", "spinning off, lone request runs at once",
                    "allow-spinning false, wait-when-idle false", new ServingStack.Options(List.of(),
                    List.of("-Dstackgan.serving.allow-spinning=true",
                            "-Dstackgan.serving.batching.wait-when-idle=true")), true),
            // candidates for small services on few cores: no concurrent GC threads, no C2 compilations
            new StackComparison("serial-gc-c1", "JVM flags of all four services", GENERATE,
                    "none: the JVM's choice of GC, tiered C1 + C2 (now)", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                    "no flags", new ServingStack.Options(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                    List.of()), false));

    private final Stopwatch stopwatch;
    private final double budgetSeconds;
    private final int threads;
    private final Path work;
    private final boolean compareStacks;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** {@code compareStacks}: also run the {@link #STACK_COMPARISONS}. */
    public ServingBench(Stopwatch stopwatch, double budgetSeconds, int threads, Path work, boolean compareStacks) {
        this.stopwatch = stopwatch;
        this.budgetSeconds = budgetSeconds;
        this.threads = threads;
        this.work = work;
        this.compareStacks = compareStacks;
    }

    /**
     * Stopwatch measurements this section takes: in-process chain and text encoder graph, HTTP, gRPC, the direct
     * text encoder call, and the stack comparisons.
     */
    public static int measurements(boolean compareStacks) {
        return 5 + (compareStacks ? STACK_COMPARISONS.size() : 0);
    }

    public Results run(Path root) throws Exception {
        Path models = work.resolve("models");
        deleteRecursively(models);
        ModelBundle bundle = BundleReader.read(ExportFreshBundle.exportAndPromote(models, "fresh-small-seed1",
                Preset.SMALL, ExampleCaptions.lines(), 1));

        InProcess inProcess = inProcess(bundle);
        List<Overhead> overhead = new ArrayList<>();
        overhead.add(new Overhead("in-process ONNX Runtime (3 sessions)", inProcess.chain()));
        List<Load> load = new ArrayList<>();
        Map<String, List<Double>> startups = new LinkedHashMap<>();
        Map<String, Long> idle = new LinkedHashMap<>();
        Map<String, Long> loaded = new LinkedHashMap<>();
        List<StageTimings> timings = new ArrayList<>();
        TextEncoderHop hop = null;
        List<ComparedStacks> comparisons = new ArrayList<>();
        for (int maxBatch : BATCH_SIZES) {
            Path logs = work.resolve("logs-batch" + maxBatch);
            try (ServingStack stack = ServingStack.start(root, models, maxBatch, logs,
                    ServingStack.Options.CURRENT)) {
                stack.services().forEach(s -> startups.computeIfAbsent(s.module(), m -> new ArrayList<>())
                        .add(s.startupSeconds()));
                String url = "http://localhost:" + stack.httpPort() + "/v1/images.png?seed=" + SEED + "&prompt="
                        + URLEncoder.encode(PROMPT, StandardCharsets.UTF_8);
                httpImage(url); // the first request loads lazily created paths; idle is measured after it
                stack.services().forEach(s -> idle.merge(s.module(), s.rssKib(), Math::max));
                if (maxBatch == BATCH_SIZES[0]) {
                    overhead.add(new Overhead("gateway HTTP GET /v1/images.png",
                            stopwatch.time("gateway HTTP b1", () -> httpImage(url))));
                    try (Gateway gateway = new Gateway(stack.gatewayGrpcPort())) {
                        overhead.add(new Overhead("gateway gRPC Generate",
                                stopwatch.time("gateway gRPC b1", () -> timings.add(gateway.generate()))));
                        hop = new TextEncoderHop(inProcess.textEncoderGraph(), directTextEncoderCall(stack));
                        if (compareStacks) {
                            for (StackComparison comparison : STACK_COMPARISONS) {
                                comparisons.add(compare(comparison, root, models, maxBatch, gateway));
                            }
                        }
                    }
                }
                for (int clients : CLIENTS) {
                    load.add(load(stack, url, maxBatch, clients, loaded));
                }
            }
        }
        List<Footprint> footprint = startups.keySet().stream().map(m -> new Footprint(m, startups.get(m),
                idle.get(m), loaded.get(m))).toList();
        return new Results(overhead, timings(timings), hop, load, footprint, comparisons);
    }

    /** Times Encode called straight on the text encoder service, with the caption and seed {@link Gateway} sends. */
    private LatencyStats directTextEncoderCall(ServingStack stack) throws Exception {
        ManagedChannel channel = ServingStack.channel(stack.grpcPort(ServingStack.TEXT_ENCODER_SERVICE));
        try {
            var stub = TextEncoderServiceGrpc.newBlockingStub(channel);
            EncodeRequest request = EncodeRequest.newBuilder().addCaptions(PROMPT).setSeed(SEED).build();
            return stopwatch.time("text encoder gRPC b1", () -> stub.encode(request));
        } finally {
            channel.shutdownNow();
        }
    }

    /** Starts the comparison's stack beside {@code current} and times both in alternating blocks. */
    private ComparedStacks compare(StackComparison comparison, Path root, Path models, int maxBatch,
                                   Gateway current) throws Exception {
        try (ServingStack stack = ServingStack.start(root, models, maxBatch,
                work.resolve("logs-" + comparison.name()), comparison.other());
             Gateway other = new Gateway(stack.gatewayGrpcPort())) {
            Gateway a = comparison.otherIsA() ? other : current;
            Gateway b = comparison.otherIsA() ? current : other;
            List<StageTimings> aTimings = new ArrayList<>();
            List<StageTimings> bTimings = new ArrayList<>();
            LatencyStats[] stats = stopwatch.compare("gateway gRPC b1 " + comparison.name(),
                    () -> aTimings.add(a.generate()), () -> bTimings.add(b.generate()));
            return new ComparedStacks(comparison, stats[0], stats[1], timings(aTimings), timings(bTimings));
        }
    }

    private static GatewayTimings timings(List<StageTimings> timings) {
        return new GatewayTimings(median(timings, StageTimings::getTextEncoderMs),
                median(timings, StageTimings::getStage1Ms), median(timings, StageTimings::getStage2Ms),
                median(timings, StageTimings::getTotalMs));
    }

    /** The three sessions chained, and the text encoder's session alone, in this process. */
    private record InProcess(LatencyStats chain, LatencyStats textEncoderGraph) {
    }

    private InProcess inProcess(ModelBundle bundle) throws Exception {
        ModelConfig config = bundle.manifest().modelConfig();
        Map<String, OrtSession> sessions = new LinkedHashMap<>();
        Map<String, OnnxTensor> text = new Feeds(ModelGraphs.textEncoder(config), 1, config.text().vocabularySize(),
                7).tensors(OrtBench.ENV);
        Map<String, OnnxTensor> stage1 = new Feeds(ModelGraphs.stage1(config), 1, config.text().vocabularySize(),
                7).tensors(OrtBench.ENV);
        try {
            for (String graph : ModelGraphs.ALL) {
                sessions.put(graph, OrtBench.session(Files.readAllBytes(bundle.graphFile(graph)), threads));
            }
            LatencyStats chain = stopwatch.time("in-process chain b1", () -> InferenceBench.ortChain(sessions, text,
                    stage1.get(ModelGraphs.NOISE)));
            LatencyStats textEncoder = stopwatch.time("in-process text encoder b1",
                    () -> OrtBench.run(sessions.get(ModelGraphs.TEXT_ENCODER), text));
            return new InProcess(chain, textEncoder);
        } finally {
            for (OrtSession session : sessions.values()) {
                session.close();
            }
            text.values().forEach(OnnxTensor::close);
            stage1.values().forEach(OnnxTensor::close);
        }
    }

    private static double median(List<StageTimings> timings, java.util.function.ToLongFunction<StageTimings> field) {
        return LatencyStats.percentile(timings.stream().mapToLong(field).mapToDouble(x -> x).sorted().toArray(), 50);
    }

    /** A gRPC client of the gateway asking for one Stage-II image of {@link #PROMPT}. */
    private static final class Gateway implements AutoCloseable {
        private final ManagedChannel channel;
        private final GatewayServiceGrpc.GatewayServiceBlockingStub stub;
        private final GenerateRequest request = GenerateRequest.newBuilder().setPrompt(PROMPT).setNumImages(1)
                .setSeed(SEED).setFinalStage(Stage.STAGE_2).build();

        Gateway(int port) {
            channel = ServingStack.channel(port);
            stub = GatewayServiceGrpc.newBlockingStub(channel);
        }

        StageTimings generate() {
            return stub.generate(request).getTimings();
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    private void httpImage(String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code clients} threads each send one request after the other for three budgets; memory is sampled every
     * 100 ms and its peak kept.
     */
    private Load load(ServingStack stack, String url, int maxBatch, int clients, Map<String, Long> loaded)
            throws Exception {
        double seconds = Math.max(5, 3 * budgetSeconds);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    List<Long> nanos = new ArrayList<>();
                    while (System.nanoTime() < deadline) {
                        long t = System.nanoTime();
                        try {
                            httpImage(url);
                            nanos.add(System.nanoTime() - t);
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return nanos;
                }));
            }
            while (System.nanoTime() < deadline) {
                stack.services().forEach(s -> loaded.merge(s.module(), s.rssKib(), Math::max));
                Thread.sleep(100);
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            LatencyStats latency = LatencyStats.ofNanos(all.stream().mapToLong(Long::longValue).toArray());
            Load point = new Load(maxBatch, clients, all.size() / elapsed, latency, errors.get());
            System.out.printf("[load] max batch %d, %2d clients: %6.1f images/s, p50 %.1f ms, p99 %.1f ms, "
                    + "%d errors%n", maxBatch, clients, point.imagesPerSecond(), latency.p50(), latency.p99(),
                    point.errors());
            return point;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
