package dev.stackgan.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class ZeroedAllocationsTest {

    /** Below glibc's mmap threshold (fresh mmap pages are zero anyway) and above its per-thread cache sizes. */
    private static final int BLOCK = 64 * 1024;

    @Test
    void aBlockReusedAfterFreeComesBackZeroFilled() {
        assumeTrue(Platform.isLinux(), "the switch is glibc's");
        ZeroedAllocations.enable();
        long first = Native.malloc(BLOCK);
        new Pointer(first).setMemory(0, BLOCK, (byte) 0xAB); // stale bytes a kernel might read
        Native.free(first);
        long second = Native.malloc(BLOCK);
        byte[] bytes = new Pointer(second).getByteArray(0, BLOCK);
        Native.free(second);
        int nonZero = 0;
        for (byte b : bytes) {
            nonZero += b == 0 ? 0 : 1;
        }
        assertEquals(0, nonZero, "bytes of a fresh block that are not zero");
    }
}
