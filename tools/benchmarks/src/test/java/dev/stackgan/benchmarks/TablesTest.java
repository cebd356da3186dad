package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.console.MarkdownTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TablesTest {

    @Test
    void markdownTablePadsColumnsAndChecksRowWidth() {
        MarkdownTable table = new MarkdownTable("a", "long header").row("wide cell", 1);
        assertEquals("""
                | a         | long header |
                | --------- | ----------- |
                | wide cell | 1           |
                """, table.render());
        assertThrows(IllegalArgumentException.class, () -> table.row("only one"));
    }

    @Test
    void verdictsSayByHowMuchAGoalIsMissed() {
        assertEquals("holds", Tables.speedupVerdict(2.5, 2.0));
        assertEquals("MISSES by 1.60x (63 % of the goal)", Tables.speedupVerdict(1.25, 2.0));
        assertEquals("holds", Tables.efficiencyVerdict(0.41, 0.40));
        assertEquals("MISSES by 15 points (1.6x short)", Tables.efficiencyVerdict(0.25, 0.40));
    }

    @Test
    void efficiencyGoalIsJudgedOnStageTwosBestBatchOnly() {
        LatencyStats fast = new LatencyStats(3, 10, 12, 9, 10);
        LatencyStats slow = new LatencyStats(3, 100, 120, 90, 100);
        List<InferenceBench.Result> results = List.of(
                new InferenceBench.Result("small", "stage2", 1, slow, slow, 1_000_000_000L),
                new InferenceBench.Result("small", "stage2", 8, slow, fast, 1_000_000_000L),
                new InferenceBench.Result("small", "stage1", 8, slow, fast, 1_000_000_000L));
        // batch 8 in 10 ms: 8e9 FLOPs / 0.01 s = 800 GFLOP/s, against a 1000 GFLOP/s peak: 80 %
        String table = Tables.efficiency(results, 1e12, 0.40);
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(2).endsWith("|                                      |"), lines.get(2));
        assertTrue(lines.get(3).contains("800.0") && lines.get(3).contains("80.0 %")
                && lines.get(3).contains("holds"), lines.get(3));
        assertTrue(!lines.get(4).contains("holds"), lines.get(4));
    }

    @Test
    void classArchiveStartsCompareMediansOfEachStart() {
        Map<String, List<Double>> without = new LinkedHashMap<>();
        without.put("stage2-service", List.of(20.0, 16.0, 18.0));
        without.put(StartupBench.STACK, List.of(21.0, 17.0, 19.0));
        Map<String, List<Double>> with = new LinkedHashMap<>();
        with.put("stage2-service", List.of(6.0, 9.0, 4.5));
        with.put(StartupBench.STACK, List.of(7.0, 10.0, 9.5));
        List<String> lines = Tables.classArchives(new StartupBench.Result(without, with,
                Map.of("stage2-service", 56_320L))).lines().toList();
        // medians 18 and 6: 0.33x; the stack's 19 and 9.5: 0.50x, and no archive of its own
        assertTrue(lines.get(2).contains("20.0 / 16.0 / 18.0") && lines.get(2).contains("6.0 / 9.0 / 4.5")
                && lines.get(2).contains("0.33x") && lines.get(2).contains("| 55 "), lines.get(2));
        assertTrue(lines.get(3).contains("0.50x") && lines.get(3).endsWith("|             |"), lines.get(3));
    }

    @Test
    void coldStartsAreJudgedOnTheSlowestOfTheFirstRequests() {
        // p50 of the first requests is warm, but the first one took 5x the warm p50: the goal misses
        List<Double> slowFirst = List.of(100.0, 21.0, 20.0, 19.0);
        List<Double> even = List.of(30.0, 21.0, 20.0, 19.0);
        Map<String, Double> compilers = Map.of("text-encoder-service", 30.0, "stage1-service", 0.0,
                "stage2-service", 40.0, "gateway", 190.0);
        List<String> lines = Tables.coldStarts(List.of(
                new ServingBench.ColdStart(8, 1, new ServingBench.FirstRequests(slowFirst, compilers), 20, 32, 41.4),
                new ServingBench.ColdStart(8, 2, new ServingBench.FirstRequests(even, compilers), 20, 32, Double.NaN),
                new ServingBench.ColdStart(1, 1, new ServingBench.FirstRequests(even, compilers), 20, 25, -181.2),
                new ServingBench.ColdStart(1, 2, new ServingBench.FirstRequests(even, compilers), 20, 25, Double.NaN)),
                2.0).lines().toList();
        assertTrue(lines.get(0).contains("p50 / max of first 4 ms"), lines.get(0));
        assertTrue(lines.get(2).contains("on (max 8)") && lines.get(2).contains("| 1 / 2 ")
                && lines.get(2).contains("20.00 / 100.00") && lines.get(2).contains("| 190 / 260 ")
                && lines.get(2).contains("| 32.00 / 1.60x ")
                && lines.get(2).contains("5.00x") && lines.get(2).contains("MISSES by 2.50x"), lines.get(2));
        assertTrue(lines.get(3).contains("| 2 / 2 ") && lines.get(3).contains("1.50x")
                && lines.get(3).contains("holds"), lines.get(3));
        assertTrue(lines.get(4).contains("off (max 1)") && lines.get(4).contains("| 25.00 / 1.25x "), lines.get(4));
        // after the first stack's first requests, how long until the compilers were quiet; a stack that never got
        // there says so, and the other starts were not drained
        assertTrue(lines.get(2).matches(".*\\| 41 +\\|$"), lines.get(2));
        assertTrue(lines.get(4).matches(".*\\| not within 181 +\\|$"), lines.get(4));
        assertTrue(lines.get(5).matches(".*\\| - +\\|$"), lines.get(5));
    }

    @Test
    void sideBySideJudgesTheGrpcGoalOnTheAlternatingBlocks() {
        LatencyStats inProcess = new LatencyStats(200, 8.0, 12.0, 7.0, 8.5);
        assertTrue(Tables.sideBySide(new LatencyStats[] {inProcess, new LatencyStats(200, 11.6, 20.0, 10.0, 12.0)},
                1.5).endsWith("p50 8.00 ms and the gateway's gRPC Generate 11.60 ms: 1.45x (goal 1.5x: holds)."));
        assertTrue(Tables.sideBySide(new LatencyStats[] {inProcess, new LatencyStats(200, 16.0, 20.0, 15.0, 16.0)},
                1.5).endsWith(": 2.00x (goal 1.5x: MISSES by 1.33x)."));
    }

    @Test
    void windowsColumnFlagsUnsettledWarmUpAndDisagreeingWindows() {
        assertEquals("3 / 2, 10 requests", Tables.windows(measured(3, true, 2, true, Map.of())));
        assertEquals("10 (NOT stable) / 6 (NONE agreed), 10 requests",
                Tables.windows(measured(10, false, 6, false, Map.of())));
    }

    @Test
    void cpuPerImageAddsTheServicesAndEndsWithTheInProcessBaseline() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("text-encoder-service", 1.5);
        cpu.put("gateway", 4.0);
        List<ServingBench.Load> points = List.of(new ServingBench.Load(8, 16, measured(2, true, 2, true, cpu)));
        WindowedLoad.Result chain = measured(2, true, 2, true, Map.of(ServingBench.THIS_PROCESS, 3.2));
        List<String> lines = Tables.cpuPerImage(points, chain).lines().toList();
        assertTrue(lines.get(0).contains("text-encoder-service ms") && lines.get(0).contains("gateway ms"),
                lines.get(0));
        assertTrue(lines.get(2).matches("\\| HTTP GET .*\\| 16 +\\| 1\\.5 +\\| 4\\.0 +\\| 5\\.5 +\\|"),
                lines.get(2));
        assertTrue(lines.get(3).startsWith("| in-process") && lines.get(3).matches(".*\\| 3\\.2 +\\|"),
                lines.get(3));
    }

    private static WindowedLoad.Result measured(int warmUp, boolean stable, int windows, boolean agreed,
                                                Map<String, Double> cpu) {
        return new WindowedLoad.Result(warmUp, stable, windows, agreed, new LatencyStats(10, 20, 30, 10, 21), 50,
                0, cpu);
    }

    @Test
    void machineFieldReadsProcStyleLines() {
        String cpuinfo = "processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\nflags\t\t: fpu\n";
        assertEquals("Example CPU @ 2.0GHz", Machine.field(cpuinfo, "model name"));
        assertEquals("unknown", Machine.field(cpuinfo, "MemTotal"));
    }
}
