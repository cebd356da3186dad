package dev.stackgan.benchmarks;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.console.MarkdownTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Renders the measured results as markdown tables, with each goal's verdict and, on a miss, by how much. */
public final class Tables {

    /** The column saying how a windowed figure was reached ({@link #windows}). */
    private static final String WINDOWS = "windows: warm-up / measured, requests reported";

    private Tables() {
    }

    /** Section 1: PyTorch eager vs ONNX Runtime per graph and batch; the goal applies at batch 1. */
    public static String engines(List<InferenceBench.Result> results, double speedupGoal) {
        MarkdownTable table = new MarkdownTable("preset", "graph", "batch", "PyTorch p50 / p99 ms",
                "ORT p50 / p99 ms", "ORT speed-up", "goal >= " + speedupGoal + "x at batch 1");
        for (InferenceBench.Result r : results) {
            table.row(r.preset(), r.graph(), r.batch(), ms(r.eager()), ms(r.ort()),
                    String.format("%.2fx", r.speedup()), r.batch() == 1 ? speedupVerdict(r.speedup(), speedupGoal)
                            : "(no goal)");
        }
        return table.render();
    }

    static String speedupVerdict(double speedup, double goal) {
        return speedup >= goal ? "holds"
                : String.format("MISSES by %.2fx (%.0f %% of the goal)", goal / speedup, 100 * speedup / goal);
    }

    /** Section 4: achieved FLOP/s of ONNX Runtime against the peak; the goal applies to Stage-II's best batch. */
    public static String efficiency(List<InferenceBench.Result> results, double peakFlops, double goal) {
        MarkdownTable table = new MarkdownTable("preset", "graph", "batch", "GFLOP / image", "ORT p50 ms",
                "achieved GFLOP/s", "of peak", "goal: Stage-II >= " + Math.round(goal * 100) + " % at best batch");
        for (InferenceBench.Result r : results) {
            table.row(r.preset(), r.graph(), r.batch(), String.format("%.3f", r.flopsPerImage() / 1e9),
                    String.format("%.2f", r.ort().p50()), gflops(r.ortFlops()),
                    percent(r.ortFlops() / peakFlops), isBestStage2(results, r)
                            ? efficiencyVerdict(r.ortFlops() / peakFlops, goal) : "");
        }
        return table.render();
    }

    static String efficiencyVerdict(double efficiency, double goal) {
        return efficiency >= goal ? "holds" : String.format("MISSES by %.0f points (%.1fx short)",
                100 * (goal - efficiency), goal / efficiency);
    }

    private static boolean isBestStage2(List<InferenceBench.Result> results, InferenceBench.Result r) {
        return r.graph().equals(ModelGraphs.STAGE2) && results.stream()
                .filter(o -> o.graph().equals(ModelGraphs.STAGE2) && o.preset().equals(r.preset()))
                .max(Comparator.comparingDouble(InferenceBench.Result::ortFlops)).orElseThrow() == r;
    }

    /**
     * Section 2: each path's latency, its ratios to the in-process chain (the first entry) and its own tail; the
     * goal holds when the p50 ratio is at most {@code goal} and the path's p99 at most {@code tailGoal} x its p50.
     */
    public static String overhead(List<ServingBench.Overhead> paths, double goal, double tailGoal) {
        LatencyStats base = paths.get(0).measured().latency();
        MarkdownTable table = new MarkdownTable("path (batch 1, 256 px)", "p50 ms", "p99 ms", "p50 ratio",
                "p99 ratio", "p99 / p50", "goal: p50 ratio <= " + goal + "x, p99 <= " + tailGoal + "x p50", WINDOWS);
        for (ServingBench.Overhead o : paths) {
            LatencyStats latency = o.measured().latency();
            double p50 = latency.p50() / base.p50();
            double tail = latency.p99() / latency.p50();
            table.row(o.path(), String.format("%.2f", latency.p50()), String.format("%.2f", latency.p99()),
                    String.format("%.2fx", p50), String.format("%.2fx", latency.p99() / base.p99()),
                    String.format("%.2f", tail),
                    o == paths.get(0) ? "(baseline)" : o.gatewayPath() ? overheadVerdict(p50, goal, tail, tailGoal)
                            : "(no goal: where the rest goes)",
                    windows(o.measured()));
        }
        return table.render();
    }

    /**
     * Section 2's cold figures: the first requests after each start against the warm p50 of the setting's first stack.
     * The goal holds when even the slowest of them stays within {@code goal} x the warm p50; beside it, what the
     * slowest of as many requests is on the warm stack.
     */
    public static String coldStarts(List<ServingBench.ColdStart> starts, double goal) {
        int count = starts.get(0).first().ms().size();
        int perSetting = (int) starts.stream().filter(c -> c.maxBatchSize() == starts.get(0).maxBatchSize()).count();
        MarkdownTable table = new MarkdownTable("dynamic batching", "start", "1st request ms",
                "p50 / max of first " + count + " ms", "compilers' CPU meanwhile ms: gateway / all four",
                "warm p50 ms", "warm: slowest of " + count + " ms (median of " + ServingBench.WARM_BLOCKS
                + " blocks) / p50", "max / warm p50", "goal: first " + count + " <= " + goal + "x warm p50",
                "JIT quiet after s");
        for (ServingBench.ColdStart c : starts) {
            List<Double> first = c.first().ms();
            double[] sorted = first.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double max = sorted[sorted.length - 1];
            double ratio = max / c.warmP50Ms();
            table.row(batching(c.maxBatchSize()), c.start() + " / " + perSetting, String.format("%.2f", first.get(0)),
                    String.format("%.2f / %.2f", LatencyStats.percentile(sorted, 50), max),
                    String.format("%.0f / %.0f", c.first().compilerCpuMs().get(ServingStack.GATEWAY),
                            c.first().compilerCpuMs().values().stream().mapToDouble(Double::doubleValue).sum()),
                    String.format("%.2f", c.warmP50Ms()),
                    String.format("%.2f / %.2fx", c.warmSlowestMs(), c.warmSlowestMs() / c.warmP50Ms()),
                    String.format("%.2fx", ratio), atMost(ratio, goal), Double.isNaN(c.jitQuietSeconds()) ? "-"
                            : c.jitQuietSeconds() >= 0 ? String.format("%.0f", c.jitQuietSeconds())
                            : String.format("not within %.0f", -c.jitQuietSeconds()));
        }
        return table.render();
    }

    /**
     * Section 2's gRPC goal judged on the in-process chain and the gateway timed in alternating blocks
     * ({in-process, gateway}), which a drift of the host's speed between the table's rows cannot skew.
     */
    public static String sideBySide(LatencyStats[] inProcessAndGateway, double goal) {
        LatencyStats inProcess = inProcessAndGateway[0];
        LatencyStats gateway = inProcessAndGateway[1];
        double ratio = gateway.p50() / inProcess.p50();
        return String.format("Side by side: the table's rows are measured minutes apart, while this shared host's "
                + "speed drifts. Timed in alternating blocks of %d, %d runs each, the in-process chain + PNG took p50 "
                + "%.2f ms and the gateway's gRPC Generate %.2f ms: %.2fx (goal %sx: %s).", Stopwatch.BLOCK,
                gateway.runs(), inProcess.p50(), gateway.p50(), ratio, goal, atMost(ratio, goal));
    }

    /** The verdict on a ratio whose goal is a ceiling: how far over it, when it is. */
    private static String atMost(double ratio, double goal) {
        return ratio <= goal ? "holds" : String.format("MISSES by %.2fx", ratio / goal);
    }

    static String overheadVerdict(double p50Ratio, double goal, double tail, double tailGoal) {
        List<String> misses = new ArrayList<>();
        if (p50Ratio > goal) {
            misses.add(String.format("p50 ratio %.2fx over", p50Ratio / goal));
        }
        if (tail > tailGoal) {
            misses.add(String.format("p99 / p50 %.2fx over", tail / tailGoal));
        }
        return misses.isEmpty() ? "holds" : "MISSES: " + String.join(", ", misses);
    }

    /**
     * Section 3: the goal is judged per batching setting: 16 clients reach 90 % of that setting's best throughput,
     * and every point has p99 <= 3 x p50 and no errors.
     */
    public static String load(List<ServingBench.Load> points, int heaviest, double throughputGoal,
                              double tailGoal) {
        MarkdownTable table = new MarkdownTable("dynamic batching", "clients", "images/s", "of best",
                "p50 / p99 ms", "p99 / p50", "errors", "goal", WINDOWS);
        for (ServingBench.Load p : points) {
            double best = points.stream().filter(o -> o.maxBatchSize() == p.maxBatchSize())
                    .mapToDouble(ServingBench.Load::imagesPerSecond).max().orElseThrow();
            double share = p.imagesPerSecond() / best;
            double tail = p.latency().p99() / p.latency().p50();
            List<String> misses = new ArrayList<>();
            if (p.clients() == heaviest && share < throughputGoal) {
                misses.add(String.format("throughput %.0f points under %.0f %%", 100 * (throughputGoal - share),
                        100 * throughputGoal));
            }
            if (tail > tailGoal) {
                misses.add(String.format("p99 %.1fx p50 (goal %.0fx)", tail, tailGoal));
            }
            if (p.errors() > 0) {
                misses.add(p.errors() + " errors");
            }
            table.row(batching(p.maxBatchSize()), p.clients(),
                    String.format("%.1f", p.imagesPerSecond()), percent(share), ms(p.latency()),
                    String.format("%.2f", tail), p.errors(), misses.isEmpty() ? "holds" : "MISSES: "
                            + String.join("; ", misses), windows(p.measured()));
        }
        return table.render();
    }

    /**
     * Section 3's CPU per image: each service's CPU ms over the reported windows per image served, their total,
     * and the in-process chain's (this process alone) as the baseline in the last row.
     */
    public static String cpuPerImage(List<ServingBench.Load> points, WindowedLoad.Result inProcessChain) {
        List<String> services = List.copyOf(points.get(0).measured().cpuMsPerRequest().keySet());
        List<String> headers = new ArrayList<>(List.of("path", "dynamic batching", "clients"));
        services.forEach(s -> headers.add(s + " ms"));
        headers.add("total CPU ms / image");
        MarkdownTable table = new MarkdownTable(headers.toArray(String[]::new));
        for (ServingBench.Load p : points) {
            List<Object> row = new ArrayList<>(List.of("HTTP GET /v1/images.png",
                    batching(p.maxBatchSize()), p.clients()));
            Map<String, Double> cpu = p.measured().cpuMsPerRequest();
            services.forEach(s -> row.add(String.format("%.1f", cpu.get(s))));
            row.add(String.format("%.1f", cpu.values().stream().mapToDouble(Double::doubleValue).sum()));
            table.row(row.toArray());
        }
        List<Object> baseline = new ArrayList<>(List.of("in-process ONNX Runtime (3 sessions) + PNG, "
                + "this process", "", 1));
        services.forEach(s -> baseline.add(""));
        baseline.add(String.format("%.1f", inProcessChain.cpuMsPerRequest().get(ServingBench.THIS_PROCESS)));
        table.row(baseline.toArray());
        return table.render();
    }

    /**
     * How a windowed figure was reached; flags a warm-up that never settled and windows that never agreed, and says
     * how many requests the figure rests on (few requests per window make agreement weak evidence).
     */
    static String windows(WindowedLoad.Result r) {
        return r.warmUpWindows() + (r.warmUpStable() ? "" : " (NOT stable)") + " / " + r.windows()
                + (r.agreed() ? "" : " (NONE agreed)") + ", " + r.latency().runs() + " requests";
    }

    static String batching(int maxBatchSize) {
        return maxBatchSize == 1 ? "off (max 1)" : "on (max " + maxBatchSize + ")";
    }

    /** Section 6: start-up time per start and resident memory. */
    public static String footprint(List<ServingBench.Footprint> services) {
        MarkdownTable table = new MarkdownTable("service", "start to SERVING s (each start)", "RSS idle MiB",
                "RSS peak under load MiB");
        for (ServingBench.Footprint f : services) {
            table.row(f.module(), seconds(f.startupSeconds()), f.idleRssKib() / 1024, f.loadedRssKib() / 1024);
        }
        return table.render();
    }

    /** Section 6: seconds to SERVING without and with class-data sharing archives, each start and the medians. */
    public static String classArchives(StartupBench.Result result) {
        MarkdownTable table = new MarkdownTable("service", "no archive: s to SERVING (each start)",
                "class archive: s to SERVING (each start)", "with / without (medians)", "archive MiB");
        result.withoutSeconds().forEach((module, without) -> {
            List<Double> with = result.withSeconds().get(module);
            Long kib = result.archiveKib().get(module);
            table.row(module, seconds(without), seconds(with),
                    String.format("%.2fx", median(with) / median(without)), kib == null ? "" : kib / 1024);
        });
        return table.render();
    }

    private static String seconds(List<Double> values) {
        return String.join(" / ", values.stream().map(x -> String.format("%.1f", x)).toList());
    }

    private static double median(List<Double> values) {
        return LatencyStats.percentile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
    }

    /** Section 5: training images/s per stage and the estimated share of peak. */
    public static String training(List<TrainingBench.Result> results, double peakFlops) {
        MarkdownTable table = new MarkdownTable("preset", "stage", "batch", "step p50 / p99 ms", "images/s",
                "est. training GFLOP / image", "est. GFLOP/s", "of peak");
        for (TrainingBench.Result r : results) {
            table.row(r.preset(), r.stage(), r.batch(), ms(r.step()), String.format("%.2f", r.imagesPerSecond()),
                    String.format("%.2f", r.trainingFlopsPerImage() / 1e9), gflops(r.flops()),
                    percent(r.flops() / peakFlops));
        }
        return table.render();
    }

    /** Section 5's data loader row per stage: cached-epoch images/s against what one training step consumes. */
    public static String loader(List<TrainingBench.Result> results, List<TrainingBench.LoaderRate> rates) {
        MarkdownTable table = new MarkdownTable("preset", "stage", "image px", "batch", "loader images/s",
                "training images/s", "loader / training");
        for (TrainingBench.Result r : results) {
            TrainingBench.LoaderRate rate = rates.stream().filter(l -> l.stage().equals(r.stage())
                    && l.batch() == r.batch()).findFirst().orElseThrow();
            table.row(r.preset(), r.stage(), rate.imageSize(), r.batch(), String.format("%.0f",
                    rate.imagesPerSecond()), String.format("%.2f", r.imagesPerSecond()),
                    String.format("%.0fx", rate.imagesPerSecond() / r.imagesPerSecond()));
        }
        return table.render();
    }

    /** The Tuning section: two values of each setting measured side by side. */
    public static String tuning(List<TuningBench.Row> rows) {
        MarkdownTable table = new MarkdownTable("setting", "timed", "a", "b", "a p50 / p99 ms", "b p50 / p99 ms",
                "b / a (p50)", "note", "default now");
        for (TuningBench.Row r : rows) {
            table.row(r.setting(), r.timed(), r.a(), r.b(), ms(r.aStats()), ms(r.bStats()),
                    String.format("%.2fx", r.ratio()), r.note(), r.servingDefault());
        }
        return table.render();
    }

    static String ms(LatencyStats stats) {
        return String.format("%.2f / %.2f", stats.p50(), stats.p99());
    }

    static String gflops(double flops) {
        return String.format("%.1f", flops / 1e9);
    }

    static String percent(double fraction) {
        return String.format("%.1f %%", 100 * fraction);
    }
}
