package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuTimeTest {

    @Test
    void addsUserAndSystemTicksCountedAfterTheCommandName() {
        // a command name with spaces and parentheses; utime (field 14) 1234, stime (field 15) 56, then cutime 7
        String stat = "4242 (java (gw) 1) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 56 7 8 20 0 30 0 164454 "
                + "3133440 385 18446744073709551615 0\n";
        assertEquals(1290, CpuTime.ticks(stat));
    }

    @Test
    void thisProcessHasUsedSomeCpu() {
        long busyUntil = System.nanoTime() + 50_000_000;
        double spin = 0;
        while (System.nanoTime() < busyUntil) {
            spin += Math.sqrt(spin + 1);
        }
        assertTrue(spin > 0 && CpuTime.ms(ProcessHandle.current().pid()) > 0);
    }
}
