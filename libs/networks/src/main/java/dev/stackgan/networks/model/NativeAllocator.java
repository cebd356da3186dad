package dev.stackgan.networks.model;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps stale NaN bytes out of libtorch's kernels, as cheaply as the process's C allocator allows.
 *
 * <p>libtorch 2.7.1's oneDNN convolutions pad channel counts that are not a multiple of the SIMD block and, in
 * backward-data, read part of that padding without initializing it: a stale NaN there makes 0 x NaN, and whole
 * channels of a gradient turn NaN for finite losses and inputs (docs/trainer.md, "NaN gradients"). glibc keeps its
 * free-list links and a random tcache key inside freed blocks, so a reused block can hold any bit pattern; the only
 * safe setting there is to zero-fill every allocation ({@code M_PERTURB}), which costs a memset per tensor on top of
 * glibc handing large blocks back to the kernel after every step (fresh pages, page faults). jemalloc keeping freed
 * memory for longer than a step ({@code scripts/with-jemalloc.sh}: 10 s, large blocks in the ordinary arenas) rarely
 * faults; a reused
 * block there still holds whatever the last tensor held (not always finite floats), so the launchers add
 * {@code zero:true}. That is not a memset: jemalloc hands large blocks back to the kernel to get them zeroed, so
 * every step faults its pages in again: three times slower than without it on 4 KiB pages, 1.1-1.2x on the
 * transparent huge pages the launchers ask for (docs/benchmarks.md section 7); the price of correctness until the
 * padding is fixed at its source. The launchers that train preload it
 * ({@code scripts/with-jemalloc.sh}); this class only
 * detects which allocator it got and falls back to glibc's zero-fill when it is not jemalloc.
 */
public final class NativeAllocator {

    /** What this process allocates with, from the fastest safe setting to the slowest. */
    public enum Kind {
        /** jemalloc keeping freed memory, large blocks included, for at least a second or for ever: the launchers'. */
        JEMALLOC_RETAINING,
        /** jemalloc that returns freed memory to the kernel: safe, but pays page faults every step. */
        JEMALLOC_RETURNING,
        /** glibc with every allocation zero-filled: safe and several times slower. */
        GLIBC_ZERO_FILLED,
        /** glibc that refused zero-filling: libtorch may return NaN gradients at random. */
        GLIBC_UNSAFE,
        /** not Linux: left alone (the fault was seen with glibc on Linux). */
        OTHER
    }

    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    /** mallopt parameter: fill allocated bytes with ~value and freed bytes with value (glibc malloc.h). */
    private static final int M_PERTURB = -6;
    private static final int FILL_ALLOCATIONS_WITH_ZERO = 0xFF;
    /** What scripts/with-jemalloc.sh sets, zero-fill aside. */
    private static final String RETAINING_CONF =
            "dirty_decay_ms:10000,muzzy_decay_ms:0,oversize_threshold:0,background_thread:true";
    /** Shorter than this, freed pages go back to the kernel within a training step or two. */
    private static final long MIN_RETAINING_DECAY_MS = 1000;
    private static final String ADVICE = "start the JVM through scripts/with-jemalloc.sh (Debian package"
            + " libjemalloc2): training steps run several times faster";

    private static Kind kind;

    private NativeAllocator() {
    }

    interface GlibcMalloc extends Library {
        int mallopt(int parameter, int value);
    }

    /** Detects the allocator once and makes it safe for libtorch; later calls return the first answer. */
    public static synchronized Kind configure() {
        if (kind == null) {
            kind = detect();
            switch (kind) {
                case JEMALLOC_RETAINING -> LOG.debug("native allocator: jemalloc, freed memory retained");
                case JEMALLOC_RETURNING -> LOG.warn("jemalloc returns freed memory to the kernel, so every training"
                        + " step pays page faults: set MALLOC_CONF=" + RETAINING_CONF + " (or {})",
                        ADVICE);
                case GLIBC_ZERO_FILLED -> LOG.warn("native allocator is glibc, zero-filling every block against"
                        + " NaN gradients: {}", ADVICE);
                case GLIBC_UNSAFE -> LOG.warn("this C library refused mallopt(M_PERTURB): libtorch may return NaN"
                        + " gradients at random; {}", ADVICE);
                default -> {
                }
            }
        }
        return kind;
    }

    private static Kind detect() {
        if (!Platform.isLinux()) {
            return Kind.OTHER;
        }
        Long dirtyDecay = jemallocOption("opt.dirty_decay_ms");
        if (dirtyDecay != null) {
            Long muzzyDecay = jemallocOption("opt.muzzy_decay_ms");
            boolean neverReturning = dirtyDecay < 0 && muzzyDecay != null && muzzyDecay < 0;
            // jemalloc's arena for blocks over oversize_threshold purges at once whenever decay is on: only 0 (no
            // such arena) lets a finite decay keep a step's large tensors
            boolean keepingLargeBlocks = dirtyDecay >= MIN_RETAINING_DECAY_MS
                    && Long.valueOf(0).equals(jemallocOption("opt.oversize_threshold"));
            return neverReturning || keepingLargeBlocks ? Kind.JEMALLOC_RETAINING : Kind.JEMALLOC_RETURNING;
        }
        try {
            GlibcMalloc libc = Native.load("c", GlibcMalloc.class);
            return libc.mallopt(M_PERTURB, FILL_ALLOCATIONS_WITH_ZERO) == 1 ? Kind.GLIBC_ZERO_FILLED
                    : Kind.GLIBC_UNSAFE;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("could not reach the C library's mallopt: {}", e.toString());
            return Kind.GLIBC_UNSAFE;
        }
    }

    /** A signed 64-bit jemalloc option read with {@code mallctl}, or null when the process has no jemalloc. */
    private static Long jemallocOption(String name) {
        Function mallctl;
        try {
            mallctl = NativeLibrary.getProcess().getFunction("mallctl");
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
        Memory value = new Memory(Long.BYTES);
        LongByReference length = new LongByReference(Long.BYTES);
        int status = mallctl.invokeInt(new Object[] {name, value, length, Pointer.NULL, 0L});
        return status == 0 ? value.getLong(0) : null;
    }
}
