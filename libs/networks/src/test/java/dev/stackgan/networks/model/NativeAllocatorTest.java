package dev.stackgan.networks.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    /** Below glibc's mmap threshold (fresh mmap pages are zero anyway) and above its per-thread cache sizes. */
    private static final int BLOCK = 64 * 1024;

    @Test
    void detectsJemallocExactlyWhenTheProcessMappedIt() throws IOException {
        assumeTrue(Platform.isLinux(), "/proc/self/maps is Linux's");
        boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libjemalloc");
        NativeAllocator.Kind kind = NativeAllocator.configure();
        assertEquals(mapped, kind == NativeAllocator.Kind.JEMALLOC_RETAINING
                || kind == NativeAllocator.Kind.JEMALLOC_RETURNING, "detected " + kind);
    }

    @Test
    void surefireTrainsOnJemallocKeepingFreedMemory() {
        assumeTrue(Files.exists(Path.of(System.getProperty("test.jemalloc.library", "/none"))),
                "libjemalloc2 is not installed here (.ci/run installs it)");
        assertEquals(NativeAllocator.Kind.JEMALLOC_RETAINING, NativeAllocator.configure());
    }

    @Test
    void underGlibcABlockReusedAfterFreeComesBackZeroFilled() {
        assumeTrue(Platform.isLinux(), "the switch is glibc's");
        assumeTrue(NativeAllocator.configure() == NativeAllocator.Kind.GLIBC_ZERO_FILLED,
                "this JVM runs on jemalloc, which needs no zero-fill");
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
