package dev.stackgan.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Waits, with requests flowing, until the serving JVMs' compilers have gone quiet: warm figures taken while they
 * work are not warm. On 2 cores a fresh stack's four JVMs compiled for about 90 s after start, and a latency that
 * had already settled put the gateway's HTTP path at 79-90 ms p50 against 17-20 ms once they were done
 * (docs/benchmarks.md, section 7). The compilation time comes from {@code jstat -compiler}, the JDK's reader of each
 * JVM's performance counters, polled every {@link #POLL_SECONDS} s.
 */
final class JitBacklog {

    static final double POLL_SECONDS = 5;
    /** Quiet: every JVM compiled for at most this share of the last poll interval. */
    static final double QUIET_SHARE = 0.05;
    static final double LIMIT_SECONDS = 180;

    private JitBacklog() {
    }

    /**
     * Sends {@code request} over and over until every JVM in {@code pids} is quiet or {@link #LIMIT_SECONDS} pass;
     * returns the seconds it took, negative when the limit passed first.
     */
    static double drain(String label, Map<String, Long> pids, Stopwatch.Work request) throws Exception {
        long start = System.nanoTime();
        Map<String, Double> before = compileSeconds(pids);
        long polled = System.nanoTime();
        while (true) {
            while (System.nanoTime() - polled < POLL_SECONDS * 1e9) {
                request.run();
            }
            Map<String, Double> now = compileSeconds(pids);
            double interval = (System.nanoTime() - polled) / 1e9;
            polled = System.nanoTime();
            Map<String, Double> shares = new LinkedHashMap<>();
            now.forEach((name, seconds) -> shares.put(name, (seconds - before.get(name)) / interval));
            before.putAll(now);
            double elapsed = (polled - start) / 1e9;
            boolean quiet = shares.values().stream().allMatch(share -> share <= QUIET_SHARE);
            System.out.printf("[serving] %s: JIT share of the last %.1f s %s after %.0f s%s%n", label, interval,
                    shares, elapsed, quiet ? ": quiet" : "");
            if (quiet) {
                return elapsed;
            }
            if (elapsed >= LIMIT_SECONDS) {
                return -elapsed;
            }
        }
    }

    private static Map<String, Double> compileSeconds(Map<String, Long> pids) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        pids.forEach((name, pid) -> seconds.put(name, compileSeconds(pid)));
        return seconds;
    }

    /** The "Time" column of {@code jstat -compiler PID}: seconds the JVM's compiler threads spent compiling. */
    static double compileSeconds(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        try {
            Process process = new ProcessBuilder(jstat.toString(), "-compiler", Long.toString(pid))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(jstat + " -compiler " + pid + " failed: " + output.strip());
            }
            return parseTime(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jstat + " (the harness needs a JDK)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running jstat", e);
        }
    }

    /** The Time column of jstat -compiler's output: a header line (Compiled Failed Invalid Time ...), one row. */
    static double parseTime(String output) {
        String[] lines = output.strip().split("\\R");
        String[] header = lines[0].trim().split("\\s+");
        String[] row = lines[1].trim().split("\\s+");
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals("Time")) {
                return Double.parseDouble(row[i]);
            }
        }
        throw new IllegalStateException("no Time column in jstat's output: " + output.strip());
    }
}
