package dev.stackgan.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Section 6's start-up with class-data sharing: the four processes started at once with the warm-up off, as
 * {@code ./stackgan generate} starts them, timed to SERVING without class archives and with them, in alternation.
 * The archives come first from one start that writes them as its processes exit, as scripts/serve-local.sh's first
 * start does.
 */
final class StartupBench {

    static final int ROUNDS = 3;
    /** The last row's name: per start, the last of the four to serve. */
    static final String STACK = "the stack (the last to serve)";
    private static final List<String> WARM_UP_OFF = List.of("-Dstackgan.serving.warm-up.enabled=false");

    /**
     * Seconds from launch to SERVING per module and start, without and with archives; the stack's row is the last of
     * the four to serve. {@code archiveKib}: each module's archive.
     */
    record Result(Map<String, List<Double>> withoutSeconds, Map<String, List<Double>> withSeconds,
                  Map<String, Long> archiveKib) {
    }

    private final Stopwatch stopwatch;
    private final Path work;

    StartupBench(Stopwatch stopwatch, Path work) {
        this.stopwatch = stopwatch;
        this.work = work;
    }

    /** The starts this makes, each one progress line. */
    static int measurements() {
        return 1 + 2 * ROUNDS;
    }

    Result run(Path root, Path models) throws Exception {
        Path directory = work.resolve("class-archives");
        ServingBench.deleteRecursively(directory);
        Files.createDirectories(directory);
        start(root, models, "write class archives", new ServingStack.ClassArchives(directory, true));
        ServingStack.ClassArchives written = new ServingStack.ClassArchives(directory, false);
        Map<String, Long> archiveKib = new LinkedHashMap<>();
        for (String module : ServingStack.MODULES) {
            Path archive = written.archive(module);
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException(module + " wrote no class archive " + archive + " as it exited");
            }
            archiveKib.put(module, Files.size(archive) / 1024);
        }
        Map<String, List<Double>> without = new LinkedHashMap<>();
        Map<String, List<Double>> with = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            add(without, start(root, models, "start, no class archives", null));
            add(with, start(root, models, "start, class archives", written));
        }
        return new Result(without, with, archiveKib);
    }

    /** Starts a stack, stops it again (an archive is written as its process exits); each module's seconds. */
    private Map<String, Double> start(Path root, Path models, String label, ServingStack.ClassArchives archives)
            throws Exception {
        Map<String, Double> seconds = new LinkedHashMap<>();
        try (ServingStack stack = ServingStack.start(root, models, ServingBench.BATCH_SIZES[0],
                work.resolve("logs-startup"), new ServingStack.Options(WARM_UP_OFF, List.of(), Map.of(), archives))) {
            stack.services().forEach(s -> seconds.put(s.module(), s.startupSeconds()));
        }
        double last = seconds.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        seconds.put(STACK, last);
        stopwatch.report(label, "1 start", "s to SERVING", last);
        return seconds;
    }

    private static void add(Map<String, List<Double>> all, Map<String, Double> start) {
        start.forEach((module, seconds) -> all.computeIfAbsent(module, m -> new ArrayList<>()).add(seconds));
    }
}
