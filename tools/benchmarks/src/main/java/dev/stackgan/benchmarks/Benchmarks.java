package dev.stackgan.benchmarks;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.model.NativeAllocator;
import dev.stackgan.trainer.cli.TrainerCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The benchmark harness: runs the selected sections, prints each table as it is done and writes them all to a
 * markdown report.
 *
 * {@code scripts/benchmark.sh [--sections 1,4,5,2,3,6,7] [--presets small,paper] [--budget SECONDS] [--out FILE]};
 * {@code --help} says more.
 */
@Command(name = "stackgan-bench", mixinStandardHelpOptions = true, version = "stackgan-bench 0.1.0",
        description = "The benchmark harness: runs the selected sections, prints each table as it is done and writes"
                + " them all to a Markdown report (docs/benchmarks.md).",
        subcommands = {LoaderBenchmark.class, CommandLine.HelpCommand.class})
public final class Benchmarks implements Callable<Integer> {

    /** Vocabulary size of the benchmark configs: about CUB's; it changes only the embedding table's size. */
    static final int VOCABULARY = 5_000;
    static final int[] BATCHES = {1, 8};
    static final double SPEEDUP_GOAL = 2.0;
    static final double EFFICIENCY_GOAL = 0.40;
    /** Issue 16: the gateway's answer at most this many times the in-process chain with the PNG encoding. */
    static final double OVERHEAD_GOAL = 1.5;
    /** Issue 16 (section 2) and section 3's own goal: p99 at most this many times the same path's p50. */
    static final double TAIL_GOAL = 3.0;
    /** Issue 16: the heaviest load point at least this share of the in-process chain's best images/s. */
    static final double THROUGHPUT_GOAL = 0.85;
    /** Issue 16: the first requests after a start at most this many times the warm p50. */
    static final double COLD_GOAL = 2.0;

    private final List<String> report = new ArrayList<>();

    @Option(names = "--sections", defaultValue = "1,4,5,2,3,6,7", split = ",", paramLabel = "N",
            description = "sections to run, in this order (default: ${DEFAULT-VALUE})")
    List<String> sections;
    @Option(names = "--presets", defaultValue = "small,paper", split = ",", paramLabel = "NAME",
            description = "presets of sections 1, 4 and 5 (default: ${DEFAULT-VALUE})")
    List<String> presetNames;
    @Option(names = "--comparisons", defaultValue = "all", split = ",", paramLabel = "NAME",
            description = "section 7's serving stacks to compare, by name, or all (default: ${DEFAULT-VALUE})")
    List<String> comparisonNames;
    @Option(names = "--budget", defaultValue = "2", paramLabel = "SECONDS",
            description = "measurement time per row; in sections 2, 3 and 6 the length of one window (default: "
                    + "${DEFAULT-VALUE})")
    double budget;
    @Option(names = "--out", defaultValue = "docs/benchmarks.md", paramLabel = "FILE",
            description = "the report (default: ${DEFAULT-VALUE})")
    Path out;
    @Spec
    CommandSpec spec;

    /** Runs the command line ({@code scripts/benchmark.sh} passes its arguments) and exits with its code. */
    public static void main(String[] args) {
        System.exit(TrainerCommand.handlingFailures(new CommandLine(new Benchmarks())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Locale.setDefault(Locale.ROOT);
        List<Preset> presets = presetNames.stream().map(Preset::parse).toList();
        List<ServingBench.StackComparison> comparisons = sections.contains("7")
                ? ServingBench.comparisons(comparisonNames) : List.of();
        String args = String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Machine machine = Machine.current();
        // PyTorch gets the same thread count as ONNX Runtime: one per core
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(machine.cores()));

        Instant start = Instant.now();
        header(machine, args, start);
        double peak = 0;
        if (sections.contains("1") || sections.contains("4") || sections.contains("5")) {
            peak = inference(presets, budget, machine.cores(), sections);
        }
        Path work = Path.of("").toAbsolutePath().resolve("tools/benchmarks/target/bench");
        if (sections.contains("5")) {
            training(presets, budget, peak, work);
        }
        List<TuningBench.Row> tuning = List.of();
        if (sections.contains("7")) {
            Stopwatch stopwatch = new Stopwatch("tuning", TuningBench.measurements(), budget, 20, System.out);
            tuning = new TuningBench(stopwatch, machine.cores()).run(Preset.SMALL.model(VOCABULARY), work);
        }
        List<ServingBench.ComparedStacks> stacks = List.of();
        boolean serving = sections.contains("2") || sections.contains("3") || sections.contains("6");
        if (serving) {
            stacks = serving(budget, machine.cores(), sections, comparisons, work);
        }
        if (sections.contains("7")) {
            tuning(tuning, stacks, serving);
        }
        add("Total harness time: " + Math.round((Instant.now().toEpochMilli() - start.toEpochMilli()) / 1e3)
                + " s; load average at the end: " + Machine.loadAverage() + ".");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println("wrote " + out);
        return 0;
    }

    private void header(Machine machine, String args, Instant start) {
        add("# Benchmarks");
        add("Measured " + start.truncatedTo(ChronoUnit.SECONDS) + " on " + machine.describe() + ", load average "
                + Machine.loadAverage() + " (1 / 5 / 15 min) at the start; Java " + System.getProperty("java.version")
                + ".");
        add("Command: `scripts/benchmark.sh" + (args.isBlank() ? "" : " " + args) + "`");
        add("Sections 1, 4, 5 and the in-process rows of 7 time the presets with fresh weights (reference "
                + "initialization, seed 1), vocabulary " + VOCABULARY + " words: latency does not depend on the "
                + "weights' values. Sections 2, 3, 6 and the serving rows of 7 serve the trained bundle shipped in "
                + "the model services' jars, as users get it: its architecture differs from the presets', and its "
                + "pictures, which the stack compresses, are its own. p50 / p99 are nearest-rank; in sections 1, 4, "
                + "5 and 7 over the "
                + "timed runs after one warm-up run, in sections 2, 3 and 6 over measurement windows (section 2 "
                + "says how).");
    }

    /** Sections 1 and 4 (whichever are selected); returns the measured peak FLOP/s. */
    private double inference(List<Preset> presets, double budget, int threads, List<String> sections)
            throws Exception {
        boolean engines = sections.contains("1") || sections.contains("4");
        Stopwatch stopwatch = new Stopwatch("inference", (engines ? InferenceBench.measurements(presets.size(),
                BATCHES.length) + 2 : 1), budget, 3, System.out);
        InferenceBench bench = new InferenceBench(stopwatch, threads);
        double peakBefore = bench.peakFlops();
        if (!engines) {
            return peakBefore;
        }
        List<InferenceBench.Result> results = new ArrayList<>();
        for (Preset preset : presets) {
            ModelConfig config = preset.model(VOCABULARY);
            results.addAll(bench.run(preset.id(), config, BATCHES));
        }
        // measured again after the section: on a shared machine one measurement alone may catch a busy moment
        double peakAfter = bench.peakFlops();
        double peak = Math.max(peakBefore, peakAfter);
        String load = " Load average after this section: " + Machine.loadAverage() + ".";
        if (sections.contains("1")) {
            add("## 1. Inference engine: ONNX Runtime vs PyTorch eager\n\nSame weights, same inputs; PyTorch eager "
                    + "through DJL 0.36 (libtorch 2.7.1, eval mode, autograd off), ONNX Runtime 1.29 (all graph "
                    + "optimizations, idle threads not spinning, as the serving runtime runs it); both with " + threads
                    + " intra-op threads. Goal: ONNX Runtime at least "
                    + SPEEDUP_GOAL + "x faster at batch 1." + load);
            add(Tables.engines(results, SPEEDUP_GOAL));
        }
        if (sections.contains("4")) {
            add("## 4. The hardware bound\n\nPeak: " + InferenceBench.PEAK_SIZE + " x " + InferenceBench.PEAK_SIZE
                    + " single-precision MatMul in ONNX Runtime, fastest run, measured before and after "
                    + "section 1 (" + Tables.gflops(peakBefore) + " and " + Tables.gflops(peakAfter) + "), the better: "
                    + Tables.gflops(peak) + " GFLOP/s. A share above 100 % means the peak was measured while other "
                    + "work held a core. FLOPs counted from each graph (Conv, Gemm, MatMul, LSTM; elementwise "
                    + "operators left out) with the shapes ONNX Runtime reports; achieved = FLOPs / ONNX Runtime "
                    + "p50. Goal: Stage-II at least " + Math.round(EFFICIENCY_GOAL * 100) + " % of peak at its "
                    + "best batch size.");
            add(Tables.efficiency(results, peak, EFFICIENCY_GOAL));
        }
        return peak;
    }

    private void training(List<Preset> presets, double budget, double peak, Path work) throws Exception {
        Stopwatch stopwatch = new Stopwatch("training", 4 * presets.size() + 1, budget, 2, System.out);
        TrainingBench bench = new TrainingBench(stopwatch);
        List<TrainingBench.Result> results = new ArrayList<>();
        List<TrainingBench.LoaderRate> loader = new ArrayList<>();
        Path data = SyntheticImages.dataset(work);
        for (Preset preset : presets) {
            ModelConfig config = preset.model(VOCABULARY);
            results.addAll(bench.run(preset.id(), config, preset.training(), trainingBatch(preset)));
            int batch = trainingBatch(preset);
            if (preset == Preset.SMALL) {
                results.add(bench.augmentedStage2(preset.id(), config, preset.training(), batch));
            }
            for (TrainingBench.LoaderRate rate : List.of(
                    bench.loader("stage1", data, config.stage1().imageSize(), batch),
                    bench.loader("stage2", data, config.stage2().imageSize(), batch))) {
                if (loader.stream().noneMatch(l -> l.stage().equals(rate.stage()) && l.batch() == batch)) {
                    loader.add(rate);
                }
            }
        }
        add("## 5. Training\n\nOne GAN step = D step + G step (GanStageTrainer, as StageRun runs it; the batch is "
                + "built inside the step), random images and captions, fresh weights, PyTorch through DJL with "
                + "autograd. `paper` runs at batch " + trainingBatch(Preset.PAPER) + " instead of 64 to fit the "
                + "time budget. Training FLOPs per image are estimated as 3 x (G forward + 3 D forwards) (D sees "
                + "real, mismatched and generated images; backward ~ 2 forwards), plus the frozen Stage-I forward "
                + "for Stage-II, with forward FLOPs counted from the DJL blocks (Conv2d, Linear); peak as in "
                + "section 4 (the DiffAugment row adds colour, translation and cutout of D's inputs, as the demo's "
                + "Stage-II recipes train; their FLOPs are not counted). Native allocator of this JVM: "
                + NativeAllocator.configure() + " (section 7 "
                + "compares allocators). No goal is set. Load average after this section: " + Machine.loadAverage()
                + ".");
        add(Tables.training(results, peak));
        add("The data loader against training: cached epochs (random crop, flip, scaling to [-1, 1] and batching; "
                + "the first pass that decodes and resizes is done before timing) over the training split of "
                + SyntheticImages.COUNT + " generated synthetic birds, one image size per stage as StageRun loads "
                + "it, in the stage's training batch, on one thread; training images/s from the table above. A "
                + "ratio far above 1x means the loader cannot be what holds training back.");
        add(Tables.loader(results, loader));
    }

    private static int trainingBatch(Preset preset) {
        return preset == Preset.PAPER ? 8 : preset.training().batchSize();
    }

    /** Sections 2, 3 and 6; returns the stack comparisons when section 7 is selected too, else none. */
    private List<ServingBench.ComparedStacks> serving(double budget, int threads, List<String> sections,
                                                      List<ServingBench.StackComparison> comparisons, Path work)
            throws Exception {
        boolean classArchives = sections.contains("6");
        Stopwatch stopwatch = new Stopwatch("serving", ServingBench.measurements(comparisons, classArchives), budget,
                20, System.out);
        Path root = Path.of("").toAbsolutePath();
        ServingBench.Results results = new ServingBench(stopwatch, budget, threads, work, comparisons,
                classArchives).run(root);
        String setup = "Four child processes from the built jars (as scripts/serve-local.sh starts them, on free "
                + "ports), serving the trained bundle shipped in the model services' jars (copied into a model "
                + "repository and promoted there); requests from this process. The stack is started twice: dynamic "
                + "batching on (the "
                + "default, max batch 8, 5 ms queue delay for requests that arrive while others are queued or "
                + "running) and off (`stackgan.serving.batching.max-batch-size: 1`)"
                + (comparisons.isEmpty() ? "" : "; for section 7 " + comparisons.size() + " more stacks run "
                + "beside the first, one at a time, each for one serving row of that section")
                + ". Load average after this section: " + Machine.loadAverage() + ".";
        if (sections.contains("2")) {
            add("## 2. Serving overhead\n\n" + setup + " One 256 px image per request (PNG encoded by Stage-II's "
                    + "service with the gateway's settings) against the same three ONNX Runtime sessions chained in "
                    + "this process, their picture encoded into PNG there with the same settings. Goal (issue 16): "
                    + "p50 at most " + OVERHEAD_GOAL + "x the in-process chain's at batch 1, and p99 at most "
                    + TAIL_GOAL + "x the path's own p50."
                    + "\n\n" + windowMethod(budget));
            add(Tables.overhead(results.overhead(), OVERHEAD_GOAL, TAIL_GOAL));
            add(Tables.sideBySide(results.sideBySide(), OVERHEAD_GOAL));
            ServingBench.GatewayTimings t = results.gatewayTimings();
            add(String.format("Where the time goes (the gateway's own timings in its gRPC answers over the two "
                    + "reported windows, medians, whole ms; each stage includes the gRPC call and any batching "
                    + "queue delay): text encoder %.0f, Stage-I %.0f, Stage-II %.0f, total %.0f ms. The rest of the "
                    + "client's p50 is the gateway's request handling and the transport of the PNG. The same three "
                    + "calls made by this process itself (the table's row without the gateway; medians of its "
                    + "reported windows): text encoder %.2f, Stage-I %.2f, Stage-II %.2f ms.",
                    t.textEncoderMs(), t.stage1Ms(), t.stage2Ms(), t.totalMs(), results.directCallMs()[0],
                    results.directCallMs()[1], results.directCallMs()[2]) + " " + hop(results.textEncoderHop()));
            add("Cold: the first " + ServingBench.COLD_REQUESTS + " HTTP GET /v1/images.png requests, one after "
                    + "the other, right after a freshly started stack reported SERVING (the harness warms only its "
                    + "own HTTP client first, on a server of its own that answers with the gateway's headers), "
                    + ServingBench.COLD_STARTS + " starts per batching setting, against the warm p50 of the same "
                    + "request from one client on the setting's first stack (section 3's 1-client point). Goal "
                    + "(issue 16): even the slowest of the first " + ServingBench.COLD_REQUESTS + " at most "
                    + COLD_GOAL + "x the warm p50. For scale, the warm column beside it: on the first stack after "
                    + "section 3, the slowest of " + ServingBench.COLD_REQUESTS + " requests one after the other, the "
                    + "median of " + ServingBench.WARM_BLOCKS + " such blocks: what the slowest is with nothing "
                    + "left cold. After the first stack's first requests, and before any warm figure of it, the "
                    + "harness sends the same request until every JVM's compilers spent at most "
                    + Math.round(100 * JitBacklog.QUIET_SHARE) + " % of " + JitBacklog.POLL_SECONDS + " s compiling "
                    + "(jstat -compiler; at most " + JitBacklog.LIMIT_SECONDS + " s): the last column says how long "
                    + "that took. Latency settles while they still work. The other starts serve only their first "
                    + "requests.");
            add(Tables.coldStarts(results.coldStarts(), COLD_GOAL));
        }
        if (sections.contains("3")) {
            add("## 3. Load\n\nHTTP GET /v1/images.png (one 256 px image), each client sending its next request "
                    + "when the last one answered, measured in windows as in section 2 (a window ends when the "
                    + "last answer sent in it is in; images/s and p50 / p99 are over the two reported windows). "
                    + "Goal: 16 clients reach at least 90 % of the best throughput, p99 at most 3x p50, no "
                    + "errors.");
            int heaviest = ServingBench.CLIENTS[ServingBench.CLIENTS.length - 1];
            add(Tables.load(results.load(), heaviest, 0.90, TAIL_GOAL));
            double on = throughput(results.load(), ServingBench.BATCH_SIZES[0], heaviest);
            double off = throughput(results.load(), 1, heaviest);
            add(String.format("At %d clients dynamic batching on serves %.1f images/s, off %.1f: on is %.0f %% of "
                    + "off.", heaviest, on, off, 100 * on / off) + " " + againstInProcess(on, heaviest,
                    results.inProcessThroughput()));
            add("CPU per image, per process: user + system time from /proc/PID/stat (utime + stime, clock ticks "
                    + "of 10 ms at the usual 100 Hz) read before and after every window, summed over the two "
                    + "reported windows and divided by the images served in them. The services' CPU includes "
                    + "their idle threads, JIT and GC; the last row is this harness process alone while it runs "
                    + "the three ONNX Runtime sessions and the PNG encoding in-process (section 2's baseline, one "
                    + "client), JIT and GC included. A row's total minus the last row is the CPU the serving path "
                    + "adds per image.");
            add(Tables.cpuPerImage(results.load(), results.overhead().get(0).measured()));
        }
        if (sections.contains("6")) {
            add("## 6. Start-up and memory\n\nAll four processes start at once (they compete for the cores), "
                    + "timed from process start until grpc.health.v1 reports SERVING (model services: model loaded); "
                    + "first figure: batching on, second: off (cold: a single start each, no repetition; the "
                    + "first requests after it are start 1 of section 2's cold table). RSS is VmRSS from "
                    + "/proc/PID/status: "
                    + "idle after the first " + ServingBench.COLD_REQUESTS + " requests, and the peak sampled every "
                    + "100 ms during section 3's windows, warm-up windows included.");
            add(Tables.footprint(results.footprint()));
            add("Class-data sharing (issue 16): the four processes started at once with the warm-up off (as "
                    + "`./stackgan generate` starts them), timed to SERVING as above, " + StartupBench.ROUNDS
                    + " starts without class archives and " + StartupBench.ROUNDS + " with them, in turn. The "
                    + "archives were written by one start before them, as its processes exited "
                    + "(`-XX:ArchiveClassesAtExit`, as scripts/serve-local.sh's first start does); the images write "
                    + "theirs while they are built (docs/operations.md, \"Class-data sharing\"). The last row is "
                    + "the last of the four to serve, per start.");
            add(Tables.classArchives(results.classArchives()));
        }
        return results.comparisons();
    }

    /** Issue 16's throughput goal: the stack under the heaviest load against the in-process chain at its best. */
    private static String againstInProcess(double served, int clients, ServingBench.InProcessThroughput inProcess) {
        double share = served / inProcess.best();
        return String.format("The in-process chain with PNG encoding (section 2's baseline) makes %.1f images/s at "
                + "batch 1 and %.1f at batch %d with one thread calling (one ONNX Runtime thread per core), and %.1f "
                + "at batch %d with %d threads calling, one ONNX Runtime thread each, so %d clients reach %.0f %% of "
                + "its best. Goal (issue 16): at least %.0f %%: %s.", inProcess.singleImagesPerSecond(),
                inProcess.batchedImagesPerSecond(), inProcess.batch(), inProcess.parallelImagesPerSecond(),
                inProcess.batch(), inProcess.callers(), clients, 100 * share,
                100 * THROUGHPUT_GOAL, share >= THROUGHPUT_GOAL ? "holds"
                        : String.format("MISSES by %.0f points", 100 * (THROUGHPUT_GOAL - share)));
    }

    /** How sections 2 and 3 measure: perf_analyzer's warm-up and measurement windows. */
    private static String windowMethod(double windowSeconds) {
        int percent = (int) Math.round(100 * ServingBench.TOLERANCE);
        return "Each figure is measured in fixed windows of " + windowSeconds + " s, in the manner of Triton's "
                + "perf_analyzer. Warm-up: windows until the p50 of two consecutive windows differs by less than "
                + percent + " % (stable), or until " + ServingBench.WARM_UP_LIMIT_WINDOWS + " windows' time has "
                + "passed (then marked NOT stable). Measurement: windows until two consecutive ones agree within "
                + percent + " % on both throughput and p50, at most " + ServingBench.MAX_WINDOWS + " (when none "
                + "agreed, marked NONE agreed); every figure comes from the last two windows, the agreeing pair. "
                + "The windows column counts both phases and the requests of the two reported windows: a window "
                + "lasts until its last request is answered, so a window holding one or two slow requests agrees "
                + "easily and proves little. A path whose request fails stops the run.";
    }

    /** What one gRPC hop costs before any model work: the direct call's p50 minus the graph's. */
    private static String hop(ServingBench.TextEncoderHop hop) {
        LatencyStats direct = hop.directCall().latency();
        LatencyStats graph = hop.graph().latency();
        return String.format("One hop's fixed cost: a direct gRPC Encode call from this process to the text encoder "
                + "service (batching on, the same caption and seed) takes p50 / p99 %s ms (windows %s), the text "
                + "encoder graph alone in this process %s ms (windows %s), so the hop itself (transport, protobuf "
                + "and the service's request handling) costs %.2f ms at p50. The gateway makes three hops per "
                + "image, and the Stage-I and Stage-II ones also carry image tensors.", Tables.ms(direct),
                Tables.windows(hop.directCall()), Tables.ms(graph), Tables.windows(hop.graph()),
                direct.p50() - graph.p50());
    }

    private void tuning(List<TuningBench.Row> rows, List<ServingBench.ComparedStacks> stacks, boolean serving) {
        add("## 7. Tuning: before / after\n\nEach setting the performance work changed or considered, two values "
                + "measured side by side in this run: alternating blocks of 5 runs of a and of b for twice the "
                + "budget (so a load change hits both alike). In-process rows use the `small` preset's fresh "
                + "weights at batch 1: the chain is the three ONNX Runtime sessions as the gateway chains them "
                + "(section 2's baseline), each session configured like the serving runtime's (all optimizations, "
                + "one intra-op thread per core, no spinning) except for the setting compared. b / a below 1 means "
                + "b is faster. \"default now\" is what the code uses; a setting is kept only where its row wins.");
        List<TuningBench.Row> all = new ArrayList<>(rows);
        for (ServingBench.ComparedStacks compared : stacks) {
            ServingBench.StackComparison c = compared.comparison();
            all.add(new TuningBench.Row(c.setting(), c.timed(), c.a(), c.b(), compared.a(), compared.b(),
                    "gateway timings text encoder / Stage-I / Stage-II / total ms: " + stageMs(compared.aTimings())
                            + " vs " + stageMs(compared.bTimings()) + underLoad(compared), c.defaultNow()));
        }
        add(Tables.tuning(all));
        if (!serving) {
            add("(The serving rows need the serving stack: select section 2, 3 or 6 with 7.)");
        }
        add("Not measured here: fp16 bundles (ONNX Runtime's CPU provider runs few operators in fp16 on x86 "
                + "without AVX512-FP16, so an fp16 graph would mostly add Cast nodes around float32 kernels; worth "
                + "measuring with the CUDA profile). Netty, under grpc-java, sets "
                + "TCP_NODELAY on its sockets by default, so Nagle is not in the hops.");
    }

    /**
     * The comparison's heaviest load point, each side's in the order taken: images/s, and CPU ms per image of the
     * gateway and of all four processes; or nothing.
     */
    private static String underLoad(ServingBench.ComparedStacks compared) {
        if (compared.aLoads().isEmpty()) {
            return "";
        }
        return String.format("; %d clients over HTTP (taken in turn a, b, a, b), images/s, CPU ms per image "
                        + "gateway / all four: %s vs %s", ServingBench.CLIENTS[ServingBench.CLIENTS.length - 1],
                loads(compared.aLoads()), loads(compared.bLoads()));
    }

    private static String loads(List<WindowedLoad.Result> loads) {
        return String.join(" and ", loads.stream().map(load -> String.format("%.1f (%.1f / %.1f)",
                load.requestsPerSecond(), load.cpuMsPerRequest().getOrDefault(ServingStack.GATEWAY, Double.NaN),
                load.cpuMsPerRequest().values().stream().mapToDouble(Double::doubleValue).sum())).toList());
    }

    private static String stageMs(ServingBench.GatewayTimings t) {
        return String.format("%.0f / %.0f / %.0f / %.0f", t.textEncoderMs(), t.stage1Ms(), t.stage2Ms(),
                t.totalMs());
    }

    private static double throughput(List<ServingBench.Load> points, int maxBatchSize, int clients) {
        return points.stream().filter(p -> p.maxBatchSize() == maxBatchSize && p.clients() == clients)
                .mapToDouble(ServingBench.Load::imagesPerSecond).findFirst().orElseThrow();
    }

    private void add(String markdown) {
        System.out.println();
        System.out.println(markdown);
        report.add(markdown + "\n");
    }

}
