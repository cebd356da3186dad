package dev.stackgan.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time the JIT compiler threads of a JVM have used, from /proc/PID/task/TID/stat: how much of a core the
 * compilers took while requests were timed. HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1" and so
 * on; the kernel keeps the first 15 characters of a thread's name.
 */
final class CompilerCpu {

    private CompilerCpu() {
    }

    /** Each process's compiler threads' CPU so far, in ms (tick resolution); the keys of {@code pids}. */
    static Map<String, Double> ms(Map<String, Long> pids) {
        Map<String, Double> ms = new LinkedHashMap<>();
        pids.forEach((module, pid) -> ms.put(module, ms(pid)));
        return ms;
    }

    private static double ms(long pid) {
        try (Stream<Path> threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return threads.mapToLong(CompilerCpu::compilerTicks).sum() * CpuTime.MS_PER_TICK;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the threads of pid " + pid, e);
        }
    }

    /** utime + stime of one thread if it is a compiler thread, else 0 (also when it ended meanwhile). */
    private static long compilerTicks(Path thread) {
        String stat;
        try {
            stat = Files.readString(thread.resolve("stat"));
        } catch (IOException ended) {
            return 0;
        }
        return isCompiler(stat) ? CpuTime.ticks(stat) : 0;
    }

    /** Whether a /proc/PID/task/TID/stat line is a HotSpot compiler thread's: its name is field 2, in parentheses. */
    static boolean isCompiler(String stat) {
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    /** {@code after} minus {@code before}, key by key. */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> delta = new LinkedHashMap<>();
        after.forEach((module, ms) -> delta.put(module, ms - before.get(module)));
        return delta;
    }
}
