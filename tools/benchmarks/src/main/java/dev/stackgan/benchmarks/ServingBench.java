package dev.stackgan.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.proto.v1.StageTimings;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sections 2, 3 and 6 on the real serving stack (four child processes, the shipped bundle): the gateway's latency
 * against the same three ONNX Runtime calls and the PNG encoding in this process, the first requests after a start
 * against the warm latency, throughput, latency and CPU per image under concurrent clients with dynamic batching on
 * and off, and each service's start-up time and memory. Every warm figure is measured in windows
 * ({@link WindowedLoad}).
 */
public final class ServingBench {

    static final String PROMPT = "a small bird with a red crown and black wings";
    static final long SEED = 7;
    /** The first is one client: the warm figure the cold requests are compared with. */
    static final int[] CLIENTS = {1, 4, 16};
    /** The model services' default batch size (application.yml) and "off". */
    static final int[] BATCH_SIZES = {8, 1};
    /** Requests timed one after the other right after a start, before any warm-up: the cold figure. */
    static final int COLD_REQUESTS = 20;
    /**
     * Fresh stacks per batching setting whose first requests are timed: the first also gives every warm figure, the
     * others only their first requests (one start is one sample of a noisy figure).
     */
    static final int COLD_STARTS = 3;
    /**
     * Blocks of {@link #COLD_REQUESTS} requests timed on the warm stack: the median of their slowest requests is what
     * the cold requests' slowest would be with nothing left cold (the host's own spread).
     */
    static final int WARM_BLOCKS = 5;
    /** Relative difference within which two windows count as stable (warm-up) or agreeing (measurement). */
    static final double TOLERANCE = 0.10;
    /** Warm-up gives up on stable latency after this many windows' time. */
    static final int WARM_UP_LIMIT_WINDOWS = 10;
    /** Measurement gives up on two agreeing windows after this many. */
    static final int MAX_WINDOWS = 6;
    /** Load points per side of a stack comparison under load, taken in turn (a, b, a, b). */
    static final int LOAD_ROUNDS = 2;
    /** The CPU time counted for in-process measurements: this harness's own. */
    static final String THIS_PROCESS = "this process";
    /** The address of every HTTP request of this harness ({@link #imageUrl}). */
    private static final String LOOPBACK = "127.0.0.1";

    /** Latency of one 256 px image by one path. */
    /** One path of section 2; {@code gatewayPath}: the goal applies to it (not to the baseline or the direct calls). */
    public record Overhead(String path, WindowedLoad.Result measured, boolean gatewayPath) {
    }

    /**
     * The first {@link #COLD_REQUESTS} requests (one client, HTTP) after a fresh stack reported SERVING, in order,
     * and the CPU each process's compiler threads used meanwhile (by module, ms).
     */
    public record FirstRequests(List<Double> ms, Map<String, Double> compilerCpuMs) {
    }

    /**
     * Start {@code start} (from 1) of a batching setting: its {@link FirstRequests}, and the warm p50 of the same
     * request from one client on the setting's first stack and the median of the slowest of {@link #WARM_BLOCKS}
     * blocks of {@link #COLD_REQUESTS} requests there; {@code jitQuietSeconds}: how long requests ran after the first
     * stack's first requests until every JVM's compilers were quiet ({@link JitBacklog}), negative when they never
     * were, NaN for the other starts.
     */
    public record ColdStart(int maxBatchSize, int start, FirstRequests first, double warmP50Ms, double warmSlowestMs,
                            double jitQuietSeconds) {
    }

    /** Medians of the gateway's own per-stage timings (GenerateResponse.timings, whole ms) over the requests timed. */
    public record GatewayTimings(double textEncoderMs, double stage1Ms, double stage2Ms, double totalMs) {
    }

    /** One load point: one 256 px image per request, so images/s are requests/s. */
    public record Load(int maxBatchSize, int clients, WindowedLoad.Result measured) {

        public double imagesPerSecond() {
            return measured.requestsPerSecond();
        }

        public LatencyStats latency() {
            return measured.latency();
        }

        public long errors() {
            return measured.errors();
        }
    }

    /** Start-up seconds per start and resident memory (KiB) idle and at peak under the heaviest load. */
    public record Footprint(String module, List<Double> startupSeconds, long idleRssKib, long loadedRssKib) {
    }

    /**
     * One hop's fixed cost: the text encoder graph alone in this process against a direct gRPC Encode call from this
     * process to the text encoder service (batching on), the same caption and seed as the gateway's request.
     */
    public record TextEncoderHop(WindowedLoad.Result graph, WindowedLoad.Result directCall) {
    }

    /**
     * One section 7 row: a second stack started with {@code other} beside the current one (batching on), both
     * called with the gateway gRPC Generate request in alternating blocks. The second stack is side a when
     * {@code otherIsA}, else side b; {@code name} labels the progress line and the logs directory. With
     * {@code underLoad}, both also serve the heaviest load point (HTTP, batching on) in turn, twice each.
     */
    public record StackComparison(String name, String setting, String timed, String a, String b, String defaultNow,
                                  ServingStack.Options other, boolean otherIsA, boolean underLoad) {
    }

    /**
     * A comparison's latency and the gateway's per-stage timings, side a and side b; under load, each side's
     * heaviest load point in the order measured (a, b, a, b; images/s and each process's CPU), else empty.
     */
    public record ComparedStacks(StackComparison comparison, LatencyStats a, LatencyStats b,
                                 GatewayTimings aTimings, GatewayTimings bTimings, List<WindowedLoad.Result> aLoads,
                                 List<WindowedLoad.Result> bLoads) {
    }

    /**
     * {@code overhead} starts with the in-process chain (the baseline of sections 2 and 3); {@code comparisons} is
     * empty unless they were asked for, {@code classArchives} null. {@code directCallMs}: the median ms of each model
     * service call (text encoder, Stage-I, Stage-II) when this process makes the three calls itself
     * ({@link DirectChain}), over that path's reported windows. {@code sideBySide}: the in-process chain + PNG and the
     * gateway's gRPC Generate timed in alternating blocks.
     */
    public record Results(List<Overhead> overhead, GatewayTimings gatewayTimings, double[] directCallMs,
                          TextEncoderHop textEncoderHop, LatencyStats[] sideBySide, List<ColdStart> coldStarts,
                          List<Load> load,
                          List<Footprint> footprint, StartupBench.Result classArchives,
                          List<ComparedStacks> comparisons, InProcessThroughput inProcessThroughput) {
    }

    private static final String GENERATE = "gateway gRPC Generate, one 256 px image";

    /** The serving settings section 7 compares (docs/benchmarks.md, Tuning). */
    static final List<StackComparison> STACK_COMPARISONS = List.of(
            // the model services' settings as they were before the tuning change
            new StackComparison("old-defaults", "model services: ORT spinning and idle batching", GENERATE,
                    "spinning on, lone request waits 5 ms (before)", "spinning off, lone request runs at once",
                    "allow-spinning false, wait-when-idle false", new ServingStack.Options(List.of(),
                    List.of("-Dstackgan.serving.allow-spinning=true",
                            "-Dstackgan.serving.batching.wait-when-idle=true")), true, false),
            // candidates for small services on few cores: no concurrent GC threads, no C2 compilations
            new StackComparison("serial-gc-c1", "JVM flags of all four services", GENERATE,
                    "none: the JVM's choice of GC, tiered C1 + C2 (now)", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                    "no flags", new ServingStack.Options(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                    List.of()), false, false),
            // a call handed from the transport thread to the IO executor costs a thread wake-up before it queues;
            // under load, one connection's calls all land on one event loop thread, so throughput is compared too
            new StackComparison("io-executor-calls", "model services: where a gRPC call runs", GENERATE,
                    "handed to the IO executor (before)", "on the transport thread that read it",
                    "transport-thread-calls true", new ServingStack.Options(List.of(),
                    List.of("-Dstackgan.serving.transport-thread-calls=false")), true, true),
            // Stage-II's service compresses its pictures: the gateway gets 86 KB files, not 196 KB of pixels
            new StackComparison("gateway-png", "who compresses Stage-II's pictures", GENERATE,
                    "the gateway, from 8-bit RGB (before)", "Stage-II's service (IMAGE_ENCODING_PNG)",
                    "png-encoded-by stage2-service", new ServingStack.Options(
                    List.of("-Dstackgan.gateway.png-encoded-by=gateway"), List.of()), true, true),
            // one run split over two ONNX Runtime threads hands work over and spin-waits for the other thread at
            // every operator, which another process may hold; two single-threaded runs need neither. The property
            // sets the other services' own defaults, so only Stage-II's differs
            new StackComparison("stage2-instances", "Stage-II's service: runs at once", GENERATE,
                    "1 instance, one ONNX Runtime thread per core (before)",
                    "2 instances; 1 thread for a run beside another", "2 (stage2-service's application.yml)",
                    new ServingStack.Options(List.of(), List.of("-Dstackgan.serving.batching.instances=1",
                            "-Dstackgan.serving.intra-op-threads=0")), true, true),
            // with two single-threaded instances a lone request's run has one core of two; a second session of one
            // thread for runs that start beside another gives it both and keeps the overlapping runs single
            new StackComparison("stage2-overlap-session", "Stage-II's service: threads of a run that starts alone",
                    GENERATE, "1, as every run (session 25; before)", "one per core; 1 beside another run",
                    "intra-op-threads 0, overlap-intra-op-threads 1", ServingStack.Options.forModule(
                            "stage2-service", List.of("-Dstackgan.serving.intra-op-threads=1",
                                    "-Dstackgan.serving.overlap-intra-op-threads=0")), true, true),
            // C2 compiles after thousands of calls per method; docker/service-jvm-flags lowers the thresholds
            new StackComparison("jit-thresholds", "JIT thresholds of all four services", GENERATE,
                    "-XX:CompileThresholdScaling=1 (the JVM's; before)", "0.1 (docker/service-jvm-flags)",
                    "0.1", new ServingStack.Options(List.of("-XX:CompileThresholdScaling=1"), List.of()), true,
                    true));

    private final Stopwatch stopwatch;
    private final WindowedLoad windows;
    private final int threads;
    private final Path work;
    private final List<StackComparison> comparisons;
    private final boolean startWithClassArchives;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * {@code windowSeconds}: the length of one warm-up or measurement window; {@code stopwatch} times the stack
     * comparisons and counts every measurement's progress. {@code comparisons}: the stack comparisons to run (of
     * {@link #STACK_COMPARISONS}; none for no section 7); {@code startWithClassArchives}: also time starts with and
     * without class archives ({@link StartupBench}, section 6).
     */
    public ServingBench(Stopwatch stopwatch, double windowSeconds, int threads, Path work,
                        List<StackComparison> comparisons, boolean startWithClassArchives) {
        this.stopwatch = stopwatch;
        this.windows = new WindowedLoad(new MeasurementPolicy(TOLERANCE, WARM_UP_LIMIT_WINDOWS * windowSeconds,
                TOLERANCE, MAX_WINDOWS), windowSeconds, stopwatch);
        this.threads = threads;
        this.work = work;
        this.comparisons = comparisons;
        this.startWithClassArchives = startWithClassArchives;
    }

    /**
     * Measurements this section takes: in-process chain at two batch sizes (the larger also from one caller per
     * core) and text encoder graph, HTTP, gRPC, the three direct calls, the direct text encoder call, gRPC beside the
     * in-process chain, the load points, the further cold starts, the starts with and without class archives, and the
     * stack comparisons (each with its new stack's warm-up).
     */
    public static int measurements(List<StackComparison> comparisons, boolean startWithClassArchives) {
        return 9 + (CLIENTS.length + COLD_STARTS - 1) * BATCH_SIZES.length
                + (startWithClassArchives ? StartupBench.measurements() : 0)
                + comparisons.stream().mapToInt(c -> c.underLoad() ? 2 + 2 * LOAD_ROUNDS : 2).sum();
    }

    /** The {@link #STACK_COMPARISONS} named in {@code names}, in their order; all for {@code all}. */
    public static List<StackComparison> comparisons(List<String> names) {
        List<String> known = STACK_COMPARISONS.stream().map(StackComparison::name).toList();
        for (String name : names) {
            if (!name.equals("all") && !known.contains(name)) {
                throw new IllegalArgumentException("--comparisons: no comparison '" + name + "'; known: all, "
                        + String.join(", ", known));
            }
        }
        return STACK_COMPARISONS.stream().filter(c -> names.contains("all") || names.contains(c.name())).toList();
    }

    public Results run(Path root) throws Exception {
        Path models = work.resolve("models");
        deleteRecursively(models);
        ModelBundle bundle = ShippedBundle.promote(models);

        InProcess inProcess = inProcess(bundle);
        warmHttpClient();
        List<Overhead> overhead = new ArrayList<>();
        overhead.add(new Overhead("in-process ONNX Runtime (3 sessions) + PNG", inProcess.chain(), false));
        List<ColdStart> coldStarts = new ArrayList<>();
        List<Load> load = new ArrayList<>();
        Map<String, List<Double>> startups = new LinkedHashMap<>();
        Map<String, Long> idle = new LinkedHashMap<>();
        Map<String, Long> loaded = new LinkedHashMap<>();
        GatewayTimings gatewayTimings = null;
        TextEncoderHop hop = null;
        double[] directCalls = null;
        LatencyStats[] sideBySide = null;
        List<ComparedStacks> compared = new ArrayList<>();
        for (int maxBatch : BATCH_SIZES) {
            Path logs = work.resolve("logs-batch" + maxBatch);
            FirstRequests first;
            double jitQuiet;
            double warmSlowest;
            try (ServingStack stack = ServingStack.start(root, models, maxBatch, logs,
                    ServingStack.Options.CURRENT)) {
                stack.services().forEach(s -> startups.computeIfAbsent(s.module(), m -> new ArrayList<>())
                        .add(s.startupSeconds()));
                String url = imageUrl(stack.httpPort());
                first = firstRequests(stack);
                // idle is measured after the first requests, which load lazily created paths
                stack.services().forEach(s -> idle.merge(s.module(), s.rssKib(), Math::max));
                jitQuiet = JitBacklog.drain("stack max batch " + maxBatch, stack.pids(), () -> httpImage(url));
                if (maxBatch == BATCH_SIZES[0]) {
                    overhead.add(new Overhead("gateway HTTP GET /v1/images.png",
                            windows.latency("gateway HTTP b1", () -> httpImage(url), Map.of()), true));
                    try (Gateway gateway = new Gateway(stack.gatewayGrpcPort())) {
                        List<StageTimings> timings = new ArrayList<>();
                        WindowedLoad.Result grpc = windows.latency("gateway gRPC b1",
                                () -> timings.add(gateway.generate()), Map.of());
                        overhead.add(new Overhead("gateway gRPC Generate", grpc, true));
                        // the reported windows are the last two, and a latency measurement has no failed requests
                        gatewayTimings = timings(timings.subList(timings.size() - grpc.latency().runs(),
                                timings.size()));
                        try (DirectChain direct = new DirectChain(stack)) {
                            WindowedLoad.Result calls = windows.latency("direct calls b1", direct::run, Map.of());
                            overhead.add(new Overhead("the three model services called from this process, no "
                                    + "gateway", calls, false));
                            directCalls = direct.medianCallMs(calls.latency().runs());
                        }
                        hop = new TextEncoderHop(inProcess.textEncoderGraph(), directTextEncoderCall(stack));
                        sideBySide = sideBySide(bundle, gateway);
                        for (StackComparison comparison : comparisons) {
                            compared.add(compare(comparison, root, models, maxBatch, gateway, stack));
                        }
                    }
                }
                for (int clients : CLIENTS) {
                    load.add(load(stack, url, maxBatch, clients, loaded));
                }
                warmSlowest = warmSlowest(url);
            }
            // warm: the first stack's first load point, one client (CLIENTS[0]) sending the same request
            double warmP50 = load.get(load.size() - CLIENTS.length).latency().p50();
            coldStarts.add(new ColdStart(maxBatch, 1, first, warmP50, warmSlowest, jitQuiet));
            for (int start = 2; start <= COLD_STARTS; start++) {
                try (ServingStack stack = ServingStack.start(root, models, maxBatch,
                        work.resolve("logs-batch" + maxBatch + "-start" + start), ServingStack.Options.CURRENT)) {
                    FirstRequests requests = firstRequests(stack);
                    coldStarts.add(new ColdStart(maxBatch, start, requests, warmP50, warmSlowest, Double.NaN));
                    stopwatch.report("cold start " + start + " max batch " + maxBatch, COLD_REQUESTS + " requests",
                            "max ms", slowest(requests.ms()));
                }
            }
        }
        List<Footprint> footprint = startups.keySet().stream().map(m -> new Footprint(m, startups.get(m),
                idle.get(m), loaded.get(m))).toList();
        StartupBench.Result classArchives = startWithClassArchives ? new StartupBench(stopwatch, work).run(root, models)
                : null;
        return new Results(overhead, gatewayTimings, directCalls, hop, sideBySide, coldStarts, load, footprint,
                classArchives, compared, inProcess.throughput());
    }

    /**
     * Sends this process's HTTP client a few hundred requests to a server of its own, half of them on new
     * connections, so that the stack's first requests time the stack, not the client's first use (class loading,
     * connecting, its connection pool, JIT): the first stack's cold figures paid for it, the second's did not.
     */
    private void warmHttpClient() throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        byte[] body = new byte[40_000];
        AtomicInteger served = new AtomicInteger();
        server.createContext("/", exchange -> {
            // every other answer closes its connection: the client's first request to the stack opens one too
            if (served.incrementAndGet() % 2 == 0) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
            // the headers of the gateway's answer, for the client's first answer from the stack to be no news
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.getResponseHeaders().add("X-Seed", Long.toString(SEED));
            exchange.getResponseHeaders().add("X-Model-Version", "v1");
            exchange.getResponseHeaders().add("x-request-id", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://" + LOOPBACK + ":" + server.getAddress().getPort() + "/warm";
            for (int i = 0; i < 500; i++) {
                httpImage(url);
            }
        } finally {
            server.stop(0);
        }
    }

    /** Times the first {@link #COLD_REQUESTS} requests to a stack that has just reported SERVING. */
    private FirstRequests firstRequests(ServingStack stack) throws Exception {
        Map<String, Double> compilersBefore = CompilerCpu.ms(stack.pids());
        List<Double> ms = timeRequests(imageUrl(stack.httpPort()));
        return new FirstRequests(ms, CompilerCpu.since(compilersBefore, CompilerCpu.ms(stack.pids())));
    }

    /** The median, over {@link #WARM_BLOCKS} blocks of {@link #COLD_REQUESTS} requests, of a block's slowest. */
    private double warmSlowest(String url) throws Exception {
        double[] slowest = new double[WARM_BLOCKS];
        for (int i = 0; i < WARM_BLOCKS; i++) {
            slowest[i] = slowest(timeRequests(url));
        }
        Arrays.sort(slowest);
        return LatencyStats.percentile(slowest, 50);
    }

    private static double slowest(List<Double> ms) {
        return ms.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** Times {@link #COLD_REQUESTS} requests one after the other, in ms, in order. */
    private List<Double> timeRequests(String url) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < COLD_REQUESTS; i++) {
            long start = System.nanoTime();
            httpImage(url);
            ms.add((System.nanoTime() - start) / 1e6);
        }
        return ms;
    }

    /** Times Encode called straight on the text encoder service, with the caption and seed {@link Gateway} sends. */
    private WindowedLoad.Result directTextEncoderCall(ServingStack stack) throws Exception {
        ManagedChannel channel = ServingStack.channel(stack.grpcPort(ServingStack.TEXT_ENCODER_SERVICE));
        try {
            var stub = TextEncoderServiceGrpc.newBlockingStub(channel);
            return windows.latency("text encoder gRPC b1", () -> stub.encode(DirectChain.ENCODE), Map.of());
        } finally {
            channel.shutdownNow();
        }
    }

    /** Starts the comparison's stack beside {@code current} and times both in alternating blocks. */
    private ComparedStacks compare(StackComparison comparison, Path root, Path models, int maxBatch,
                                   Gateway current, ServingStack currentStack) throws Exception {
        try (ServingStack stack = ServingStack.start(root, models, maxBatch,
                work.resolve("logs-" + comparison.name()), comparison.other());
             Gateway other = new Gateway(stack.gatewayGrpcPort())) {
            // the new stack's JIT warm-up, as the current stack's was: a stack still compiling would lose the
            // comparison for that alone
            JitBacklog.drain("stack " + comparison.name(), stack.pids(), other::generate);
            windows.latency("gateway gRPC b1 " + comparison.name() + " warm-up", other::generate, Map.of());
            Gateway a = comparison.otherIsA() ? other : current;
            Gateway b = comparison.otherIsA() ? current : other;
            List<StageTimings> aTimings = new ArrayList<>();
            List<StageTimings> bTimings = new ArrayList<>();
            LatencyStats[] stats = stopwatch.compare("gateway gRPC b1 " + comparison.name(),
                    () -> aTimings.add(a.generate()), () -> bTimings.add(b.generate()));
            List<WindowedLoad.Result> aLoad = new ArrayList<>();
            List<WindowedLoad.Result> bLoad = new ArrayList<>();
            if (comparison.underLoad()) {
                ServingStack stackA = comparison.otherIsA() ? stack : currentStack;
                ServingStack stackB = comparison.otherIsA() ? currentStack : stack;
                for (int round = 0; round < LOAD_ROUNDS; round++) {
                    aLoad.add(heaviestLoad(comparison.name() + " a", stackA));
                    bLoad.add(heaviestLoad(comparison.name() + " b", stackB));
                }
            }
            return new ComparedStacks(comparison, stats[0], stats[1], timings(aTimings), timings(bTimings), aLoad,
                    bLoad);
        }
    }

    /** The heaviest load point (HTTP GET, one image per request) on {@code stack}, its processes' CPU counted. */
    private WindowedLoad.Result heaviestLoad(String label, ServingStack stack) throws Exception {
        String url = imageUrl(stack.httpPort());
        int clients = CLIENTS[CLIENTS.length - 1];
        return windows.load(label + ", " + clients + " clients", clients, () -> httpImage(url), stack.pids(),
                () -> { });
    }

    /**
     * The loopback address, not {@code localhost}: the first lookup of a host name in a JVM takes 4-5 ms, and a new
     * client's first request by name took 26-45 ms against 20-23 by address (a client's cost, not the stack's); the
     * client is warmed on the same address.
     */
    private static String imageUrl(int httpPort) {
        return "http://" + LOOPBACK + ":" + httpPort + "/v1/images.png?seed=" + SEED + "&prompt="
                + URLEncoder.encode(PROMPT, StandardCharsets.UTF_8);
    }

    private static GatewayTimings timings(List<StageTimings> timings) {
        return new GatewayTimings(median(timings, StageTimings::getTextEncoderMs),
                median(timings, StageTimings::getStage1Ms), median(timings, StageTimings::getStage2Ms),
                median(timings, StageTimings::getTotalMs));
    }

    /** The three sessions chained, and the text encoder's session alone, in this process. */
    private record InProcess(WindowedLoad.Result chain, WindowedLoad.Result textEncoderGraph,
                             InProcessThroughput throughput) {
    }

    /**
     * Images/s of the in-process chain with PNG encoding: one caller at batch 1 and at {@code batch} (one ONNX Runtime
     * thread per core), and {@code callers} callers at {@code batch}, one ONNX Runtime thread each (as the model
     * services' instances run).
     */
    public record InProcessThroughput(int batch, double batchedImagesPerSecond, double singleImagesPerSecond,
                                      int callers, double parallelImagesPerSecond) {

        public double best() {
            return Math.max(Math.max(batchedImagesPerSecond, singleImagesPerSecond), parallelImagesPerSecond);
        }
    }

    /**
     * The chain with Stage-II's pictures encoded as the gateway encodes them (8-bit RGB, then PNG with its default
     * settings), at batch 1 and at the model services' default batch, the latter also from one caller per core, and
     * the text encoder's session alone.
     */
    private InProcess inProcess(ModelBundle bundle) throws Exception {
        Map<String, Long> thisProcess = Map.of(THIS_PROCESS, ProcessHandle.current().pid());
        WindowedLoad.Result chain;
        WindowedLoad.Result textEncoder;
        try (InProcessChain sessions = new InProcessChain(bundle, threads, 1)) {
            chain = windows.latency("in-process chain + PNG b1", chainAndPng(sessions), thisProcess);
            textEncoder = windows.latency("in-process text encoder b1", sessions::runTextEncoder, thisProcess);
        }
        int batch = BATCH_SIZES[0];
        WindowedLoad.Result batched;
        try (InProcessChain sessions = new InProcessChain(bundle, threads, batch)) {
            batched = windows.latency("in-process chain + PNG b" + batch, chainAndPng(sessions), thisProcess);
        }
        // the sessions are safe to run from several threads at once, each run on its caller's thread alone
        WindowedLoad.Result parallel;
        try (InProcessChain sessions = new InProcessChain(bundle, 1, batch)) {
            parallel = windows.load("in-process chain + PNG b" + batch + ", " + threads + " callers x 1 thread",
                    threads, chainAndPng(sessions), thisProcess, () -> { });
        }
        return new InProcess(chain, textEncoder, new InProcessThroughput(batch, batched.requestsPerSecond() * batch,
                chain.requestsPerSecond(), threads, parallel.requestsPerSecond() * batch));
    }

    /** One run of the three sessions and the PNG encoding with the gateway's settings: the baseline's request. */
    private static Stopwatch.Work chainAndPng(InProcessChain sessions) {
        return () -> sessions.run(images -> InProcessChain.pngs(images, TuningBench.GATEWAY_PNG));
    }

    /**
     * The in-process chain + PNG and the gateway's gRPC Generate side by side, in alternating blocks
     * ({@link Stopwatch#compare}): their ratio does not move with the host's speed, which changed by up to 1.4x
     * between measurements minutes apart. Returns {in-process, gateway}.
     */
    private LatencyStats[] sideBySide(ModelBundle bundle, Gateway gateway) throws Exception {
        try (InProcessChain sessions = new InProcessChain(bundle, threads, 1)) {
            return stopwatch.compare("in-process chain vs gateway gRPC b1", chainAndPng(sessions), gateway::generate);
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
     * {@code clients} threads each send one request after the other, in windows; the services' CPU time is counted
     * and their memory sampled every 100 ms, its peak kept.
     */
    private Load load(ServingStack stack, String url, int maxBatch, int clients, Map<String, Long> loaded)
            throws Exception {
        WindowedLoad.Result measured = windows.load("load max batch " + maxBatch + ", " + clients + " clients",
                clients, () -> httpImage(url), stack.pids(),
                () -> stack.services().forEach(s -> loaded.merge(s.module(), s.rssKib(), Math::max)));
        return new Load(maxBatch, clients, measured);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
