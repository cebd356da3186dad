package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.console.MarkdownTable;
import java.util.List;
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
    void machineFieldReadsProcStyleLines() {
        String cpuinfo = "processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\nflags\t\t: fpu\n";
        assertEquals("Example CPU @ 2.0GHz", Machine.field(cpuinfo, "model name"));
        assertEquals("unknown", Machine.field(cpuinfo, "MemTotal"));
    }
}
