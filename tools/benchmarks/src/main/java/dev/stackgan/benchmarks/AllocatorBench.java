package dev.stackgan.benchmarks;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.config.Preset;
import dev.stackgan.networks.model.NativeAllocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Tuning section's allocator rows: the same training steps in child JVMs, one on glibc (which
 * {@link NativeAllocator} makes zero-fill every block) and the others with jemalloc preloaded in the settings
 * {@code scripts/with-jemalloc.sh} starts the trainer with and without each of them. The allocator is chosen when a
 * process starts, hence the children; each prints its step times, and its allocator as it detected it, for this
 * class to read.
 */
public final class AllocatorBench {

    /** Debian's jemalloc on x86-64, as the launcher script looks for it first. */
    static final Path JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
    private static final int WARM_UP_STEPS = 3;
    private static final String RESULT = "allocator-probe ";

    private AllocatorBench() {
    }

    /**
     * jemalloc as {@code scripts/with-jemalloc.sh} configures it: freed memory stays in the process for 10 s, large
     * blocks included, then goes back to the kernel.
     */
    private static final String RETAINING =
            "dirty_decay_ms:10000,muzzy_decay_ms:0,oversize_threshold:0,background_thread:true";
    /** The launchers' jemalloc before: freed memory never returned (fragmentation grew a demo run to 22 GB). */
    private static final String NEVER_RETURNING = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
    /** libtorch's switch for 2 MiB-aligned, huge-page-advised blocks; the launcher sets it with jemalloc's thp. */
    private static final String TORCH_HUGE_PAGES = "THP_MEM_ALLOC_ENABLE";

    /**
     * Rows for Stage-I and Stage-II of the {@code small} preset at its training batch, each against the launchers'
     * setting now (jemalloc keeping freed memory 10 s, on transparent huge pages, zero-filled): glibc zero-filled
     * (before jemalloc), jemalloc never returning memory (the decay before), the same on 4 KiB pages (before huge
     * pages) and without the zero-fill.
     */
    public static List<TuningBench.Row> rows(int steps) throws IOException, InterruptedException {
        List<TuningBench.Row> rows = new ArrayList<>();
        if (!Files.isRegularFile(JEMALLOC)) {
            System.out.println("allocator rows skipped: " + JEMALLOC + " is missing (apt-get install libjemalloc2)");
            return rows;
        }
        int batch = Preset.SMALL.training().batchSize();
        String note = steps + " steps each after " + WARM_UP_STEPS + " warm-up steps, one child JVM per allocator";
        for (String stage : List.of("stage1", "stage2")) {
            String timed = "small " + stage + " training step, batch " + batch;
            Probe glibc = probe(stage, steps, Map.of());
            Probe launcher = probe(stage, steps, jemalloc(RETAINING + ",zero:true", true));
            Probe smallPages = probe(stage, steps, jemalloc(RETAINING + ",zero:true", false));
            Probe stale = probe(stage, steps, jemalloc(RETAINING, true));
            Probe never = probe(stage, steps, jemalloc(NEVER_RETURNING + ",zero:true", true));
            rows.add(new TuningBench.Row("native allocator of the trainer", timed, "glibc, zero-filled ("
                    + glibc.allocator + "; before)", "jemalloc keeping freed memory, zero-filled (" + launcher.allocator
                    + ")", glibc.steps, launcher.steps, note, "jemalloc zero-filled (scripts/with-jemalloc.sh)"));
            rows.add(new TuningBench.Row("jemalloc decay of freed memory", timed, "never returned (before)",
                    "returned after 10 s, large blocks included (now)", never.steps, launcher.steps, note,
                    "after 10 s"));
            rows.add(new TuningBench.Row("transparent huge pages", timed, "4 KiB pages (before)", "jemalloc thp:always"
                    + " and " + TORCH_HUGE_PAGES + "=1 (now)", smallPages.steps, launcher.steps, note, "huge pages"));
            rows.add(new TuningBench.Row("jemalloc zero-fill (zero:true)", timed, "on (now)", "off (stale bytes can"
                    + " reach oneDNN: docs/trainer.md)", launcher.steps, stale.steps, note, "on"));
        }
        return rows;
    }

    /** A child's environment with jemalloc preloaded, set up with {@code options}, on huge pages or not. */
    private static Map<String, String> jemalloc(String options, boolean hugePages) {
        return hugePages
                ? Map.of("LD_PRELOAD", JEMALLOC.toString(), "MALLOC_CONF", options + ",thp:always",
                        TORCH_HUGE_PAGES, "1")
                : Map.of("LD_PRELOAD", JEMALLOC.toString(), "MALLOC_CONF", options);
    }

    private record Probe(String allocator, LatencyStats steps) {
    }

    private static Probe probe(String stage, int steps, Map<String, String> environment)
            throws IOException, InterruptedException {
        System.out.printf("[allocator] %s, %d + %d steps in a child JVM%s ...%n", stage, WARM_UP_STEPS, steps,
                environment.isEmpty() ? "" : " with " + environment);
        long started = System.nanoTime();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), AllocatorBench.class.getName(), stage,
                String.valueOf(steps)).redirectErrorStream(true);
        builder.environment().remove("LD_PRELOAD");
        builder.environment().remove("MALLOC_CONF");
        builder.environment().remove(TORCH_HUGE_PAGES);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Probe probe = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RESULT)) {
                    String[] fields = line.substring(RESULT.length()).split(" ");
                    probe = new Probe(fields[0], LatencyStats.ofNanos(Arrays.stream(fields).skip(1)
                            .mapToLong(Long::parseLong).toArray()));
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || probe == null) {
            throw new IllegalStateException("allocator probe for " + stage + " with " + environment.keySet()
                    + " exited " + exit + " without a result");
        }
        System.out.printf("[allocator] %s on %s: p50 %.0f ms a step (%.0f s in all)%n", stage, probe.allocator,
                probe.steps.p50(), (System.nanoTime() - started) / 1e9);
        return probe;
    }

    /** The child: {@code stage steps}; prints the allocator it got and each timed step's nanoseconds. */
    public static void main(String[] args) throws Exception {
        String stage = args[0];
        int steps = Integer.parseInt(args[1]);
        ModelConfig config = Preset.SMALL.model(Benchmarks.VOCABULARY);
        long[] nanos = TrainingBench.stepNanos(config, Preset.SMALL.training(), stage, WARM_UP_STEPS, steps);
        StringBuilder line = new StringBuilder(RESULT).append(NativeAllocator.configure());
        for (long n : nanos) {
            line.append(' ').append(n);
        }
        System.out.println(line);
    }
}
