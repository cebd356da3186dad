package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JitBacklogTest {

    @Test
    void theTimeColumnIsReadByItsHeaderFromJstatsOutput() {
        String output = "Compiled Failed Invalid   Time   FailedType FailedMethod\n"
                + "   16733      1       0    89.30          1 java/security/Provider putPropertyStrings\n";
        assertEquals(89.30, JitBacklog.parseTime(output), 1e-9);
    }

    @Test
    void thisJvmsCompilationTimeIsReadThroughJstat() {
        double seconds = JitBacklog.compileSeconds(ProcessHandle.current().pid());
        // the test JVM has compiled its way to here: more than nothing, less than its lifetime on two cores
        assertTrue(seconds > 0 && seconds < 1000, seconds + " s");
    }
}
