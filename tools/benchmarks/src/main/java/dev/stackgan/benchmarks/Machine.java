package dev.stackgan.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the numbers were measured on, read from /proc. */
public record Machine(int cores, String cpuModel, long memoryKib) {

    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(),
                field(read("/proc/cpuinfo"), "model name"),
                Long.parseLong(field(read("/proc/meminfo"), "MemTotal").replace("kB", "").trim()));
    }

    /** The three load averages (1, 5, 15 minutes) as /proc/loadavg prints them. */
    public static String loadAverage() {
        String[] parts = read("/proc/loadavg").trim().split("\\s+");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    public String describe() {
        return String.format("%d cores (nproc), %s, %.1f GiB RAM", cores, cpuModel, memoryKib / 1024.0 / 1024.0);
    }

    /** The value of the first {@code key: value} line of a /proc file, or "unknown". */
    static String field(String text, String key) {
        return text.lines().filter(l -> l.startsWith(key)).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("unknown");
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
