package dev.stackgan.trainer.bench;

import dev.stackgan.bundle.graph.ModelGraphs;
import java.util.Comparator;
import java.util.List;

/** Renders the measured results as markdown tables, with each goal's verdict and, on a miss, by how much. */
public final class Tables {

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
