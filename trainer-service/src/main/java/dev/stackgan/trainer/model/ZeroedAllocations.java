package dev.stackgan.trainer.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes glibc fill every block it hands out with zeros, before libtorch runs a kernel in this process.
 *
 * <p>libtorch 2.7.1's oneDNN convolutions pad channel counts that are not a multiple of the SIMD block (3 image
 * channels, 8 feature maps) and, on some hosts, leave part of that padding uninitialized: when the stale bytes happen
 * to encode a NaN, 0 x NaN turns whole channels of a backward-data gradient into NaN, for finite losses and inputs
 * (docs/trainer.md, "NaN gradients"). With zero-filled allocations (glibc's {@code M_PERTURB}, the same switch as
 * the {@code MALLOC_PERTURB_=255} environment variable) the padding is zero and the gradients are finite.
 */
final class ZeroedAllocations {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroedAllocations.class);
    /** mallopt parameter: fill allocated bytes with ~value and freed bytes with value (glibc malloc.h). */
    private static final int M_PERTURB = -6;
    private static final int FILL_ALLOCATIONS_WITH_ZERO = 0xFF;

    private static boolean requested;

    private ZeroedAllocations() {
    }

    interface C extends Library {
        int mallopt(int parameter, int value);
    }

    static synchronized void enable() {
        if (requested) {
            return;
        }
        requested = true;
        if (!Platform.isLinux()) {
            return; // the fault was seen with glibc on Linux; other allocators are left alone
        }
        try {
            C libc = Native.load("c", C.class);
            if (libc.mallopt(M_PERTURB, FILL_ALLOCATIONS_WITH_ZERO) != 1) {
                LOG.warn("this C library refused mallopt(M_PERTURB): libtorch may return NaN gradients at random;"
                        + " set MALLOC_PERTURB_=255 if it does");
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("could not switch the C library to zero-filled allocations ({}): libtorch may return NaN"
                    + " gradients at random; set MALLOC_PERTURB_=255 if it does", e.toString());
        }
    }
}
