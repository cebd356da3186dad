package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CompilerCpuTest {

    @Test
    void compilerThreadsAreKnownByTheirTruncatedNames() {
        assertTrue(CompilerCpu.isCompiler("77 (C2 CompilerThre) S 1 4242 4242 0 -1 0 0 0 0 0 120 3 0 0 20 0 1 0"));
        assertTrue(CompilerCpu.isCompiler("78 (C1 CompilerThre) S 1 4242 4242 0 -1 0 0 0 0 0 40 1 0 0 20 0 1 0"));
        assertFalse(CompilerCpu.isCompiler("79 (grpc-nio-worker) S 1 4242 4242 0 -1 0 0 0 0 0 900 50 0 0 20 0 1 0"));
        assertFalse(CompilerCpu.isCompiler("80 (java (C2 x)) S 1 4242 4242 0 -1 0 0 0 0 0 900 50 0 0 20 0 1 0"));
    }

    @Test
    void thisJvmsCompilersHaveWorkedAndTheDifferenceIsByModule() {
        Map<String, Long> self = Map.of("harness", ProcessHandle.current().pid());
        Map<String, Double> before = CompilerCpu.ms(self);
        // loading and starting JUnit alone compiles hundreds of methods
        assertTrue(before.get("harness") > 0, before.toString());
        assertEquals(Map.of("harness", 5.0), CompilerCpu.since(Map.of("harness", 10.0), Map.of("harness", 15.0)));
    }
}
