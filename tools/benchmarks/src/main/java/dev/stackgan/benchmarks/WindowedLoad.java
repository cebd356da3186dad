package dev.stackgan.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends requests from concurrent clients, each sending its next request when the last one answered, in
 * fixed-duration windows that a {@link MeasurementPolicy} judges: warm-up windows until latency is stable, then
 * measurement windows until two consecutive ones agree. The CPU time of the given processes is read from /proc
 * before and after every window, so a figure's CPU per request comes from the same two windows as its latency.
 */
public final class WindowedLoad {

    /**
     * What one measurement reports, from its last two windows (the agreeing pair, when {@code agreed}).
     *
     * @param warmUpWindows     windows run before measuring
     * @param warmUpStable      whether warm-up ended on stable latency rather than on its time limit
     * @param windows           measurement windows run
     * @param latency           every successful request of the last two windows
     * @param requestsPerSecond successful requests of the last two windows over their duration
     * @param errors            failed requests in the last two windows
     * @param cpuMsPerRequest   per process (in the order given): CPU ms over the last two windows per successful
     *                          request
     */
    public record Result(int warmUpWindows, boolean warmUpStable, int windows, boolean agreed, LatencyStats latency,
                         double requestsPerSecond, long errors, Map<String, Double> cpuMsPerRequest) {
    }

    /** One window: each successful request's latency, failures, duration and CPU ms per process. */
    private record Window(long[] nanos, long errors, double seconds, Map<String, Double> cpuMs) {

        MeasurementPolicy.Window figures() {
            return new MeasurementPolicy.Window(LatencyStats.ofNanos(nanos).p50(), nanos.length / seconds);
        }
    }

    /** What a measurement's windows send and watch. */
    private record Client(String label, int clients, Stopwatch.Work work, Map<String, Long> processes,
                          Runnable sampler, boolean failOnError) {
    }

    private static final long SAMPLE_EVERY_NANOS = 100_000_000;

    private final MeasurementPolicy policy;
    private final double windowSeconds;
    private final Stopwatch progress;

    /** {@code progress} counts one measurement per {@link #latency} or {@link #load} call. */
    public WindowedLoad(MeasurementPolicy policy, double windowSeconds, Stopwatch progress) {
        this.policy = policy;
        this.windowSeconds = windowSeconds;
        this.progress = progress;
    }

    /**
     * Warms up and measures {@code work} sent by one client, for a latency figure: a failed request fails the
     * measurement. {@code processes} (name to pid) are the processes whose CPU time is counted.
     */
    public Result latency(String label, Stopwatch.Work work, Map<String, Long> processes) throws Exception {
        return measure(new Client(label, 1, work, processes, () -> { }, true));
    }

    /**
     * Warms up and measures {@code work} sent by {@code clients} threads; failed requests are counted.
     * {@code sampler} runs about every 100 ms while a window runs (memory sampling).
     */
    public Result load(String label, int clients, Stopwatch.Work work, Map<String, Long> processes,
                       Runnable sampler) throws Exception {
        return measure(new Client(label, clients, work, processes, sampler, false));
    }

    private Result measure(Client client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(client.clients());
        try {
            List<Double> warmUpP50 = new ArrayList<>();
            long warmUpStart = System.nanoTime();
            MeasurementPolicy.WarmUp warmUp;
            do {
                warmUpP50.add(window(pool, client).figures().p50Ms());
                warmUp = policy.warmUp(warmUpP50, (System.nanoTime() - warmUpStart) / 1e9);
            } while (warmUp == MeasurementPolicy.WarmUp.CONTINUE);

            List<Window> windows = new ArrayList<>();
            List<MeasurementPolicy.Window> figures = new ArrayList<>();
            MeasurementPolicy.Measurement measurement;
            do {
                Window window = window(pool, client);
                windows.add(window);
                figures.add(window.figures());
                measurement = policy.measurement(figures);
            } while (measurement == MeasurementPolicy.Measurement.CONTINUE);

            Result result = lastTwo(windows, warmUpP50.size(), warmUp == MeasurementPolicy.WarmUp.STABLE,
                    measurement == MeasurementPolicy.Measurement.AGREED);
            System.out.printf("[serving] %s: %d warm-up windows (%s), %d measured (%s): p50 %.2f ms, %.1f "
                            + "requests/s, %d errors, CPU ms per request %s%n", client.label(),
                    result.warmUpWindows(),
                    result.warmUpStable() ? "stable" : "NOT stable", result.windows(),
                    result.agreed() ? "last two agree" : "NO two agreed", result.latency().p50(),
                    result.requestsPerSecond(), result.errors(), result.cpuMsPerRequest());
            progress.report(client.label(), result.warmUpWindows() + result.windows() + " windows",
                    result.latency().p50());
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private Result lastTwo(List<Window> windows, int warmUpWindows, boolean stable, boolean agreed) {
        Window a = windows.get(windows.size() - 2);
        Window b = windows.get(windows.size() - 1);
        long[] nanos = new long[a.nanos().length + b.nanos().length];
        System.arraycopy(a.nanos(), 0, nanos, 0, a.nanos().length);
        System.arraycopy(b.nanos(), 0, nanos, a.nanos().length, b.nanos().length);
        Map<String, Double> cpu = new LinkedHashMap<>();
        a.cpuMs().forEach((process, ms) -> cpu.put(process, (ms + b.cpuMs().get(process)) / nanos.length));
        return new Result(warmUpWindows, stable, windows.size(), agreed, LatencyStats.ofNanos(nanos),
                nanos.length / (a.seconds() + b.seconds()), a.errors() + b.errors(), cpu);
    }

    /**
     * One window: every client sends requests until the window's time is up; the window ends when the last answer
     * is in, so its duration includes that tail.
     */
    private Window window(ExecutorService pool, Client client) throws Exception {
        Map<String, Double> cpuBefore = cpuMs(client.processes());
        AtomicLong errors = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + (long) (windowSeconds * 1e9);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int c = 0; c < client.clients(); c++) {
            futures.add(pool.submit(() -> {
                List<Long> nanos = new ArrayList<>();
                do {
                    long t = System.nanoTime();
                    try {
                        client.work().run();
                        nanos.add(System.nanoTime() - t);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e);
                    }
                } while (System.nanoTime() < deadline);
                return nanos;
            }));
        }
        while (System.nanoTime() < deadline) {
            client.sampler().run();
            Thread.sleep(Math.max(1, Math.min(SAMPLE_EVERY_NANOS, deadline - System.nanoTime()) / 1_000_000));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (all.isEmpty() || (client.failOnError() && firstError.get() != null)) {
            throw new IllegalStateException(client.label() + ": " + errors.get() + " of " + (all.size()
                    + errors.get()) + " requests of a " + windowSeconds + " s window failed", firstError.get());
        }
        Map<String, Double> cpu = cpuMs(client.processes());
        cpu.replaceAll((process, after) -> after - cpuBefore.get(process));
        return new Window(all.stream().mapToLong(Long::longValue).toArray(), errors.get(), seconds, cpu);
    }

    private static Map<String, Double> cpuMs(Map<String, Long> processes) {
        Map<String, Double> ms = new LinkedHashMap<>();
        processes.forEach((name, pid) -> ms.put(name, CpuTime.ms(pid)));
        return ms;
    }
}
