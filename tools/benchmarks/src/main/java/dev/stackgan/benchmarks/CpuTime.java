package dev.stackgan.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used, user plus system, from /proc/PID/stat. */
public final class CpuTime {

    /** Used when {@code getconf CLK_TCK} cannot be run: Linux's USER_HZ on every common architecture. */
    private static final long DEFAULT_TICKS_PER_SECOND = 100;
    static final double MS_PER_TICK = 1000.0 / ticksPerSecond();

    private CpuTime() {
    }

    /** utime + stime of process {@code pid} so far, in milliseconds (tick resolution, 10 ms at 100 Hz). */
    public static double ms(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc/" + pid + "/stat"))) * MS_PER_TICK;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of pid " + pid, e);
        }
    }

    /**
     * utime + stime (fields 14 and 15, in clock ticks) of a /proc/PID/stat line. The fields are counted after the
     * command name's closing parenthesis, because the name itself may hold spaces and parentheses.
     */
    static long ticks(String stat) {
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // afterName[0] is field 3 (state), so field n is afterName[n - 3]
        return Long.parseLong(afterName[14 - 3]) + Long.parseLong(afterName[15 - 3]);
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : DEFAULT_TICKS_PER_SECOND;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_TICKS_PER_SECOND;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_TICKS_PER_SECOND;
        }
    }
}
