package dev.stackgan.console;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one progress line of every long job (data set generation, decoding, training, benchmarks):
 * {@code "[#########---------------]  37.5% <what> | 48.1 img/s ETA 0:01:02"}. {@link #line} formats it for callers
 * that know their own counts (the trainer's progress stream); an instance counts items itself and redraws the line
 * on stderr at most once a second, so parallel workers can call {@link #step()} freely.
 */
public final class Progress implements AutoCloseable {

    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 1_000_000_000L;

    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastDraw = new AtomicLong(start);

    /** Counts {@code total} items of {@code unit} (e.g. "images") for the job called {@code label}, on stderr. */
    public Progress(String label, long total, String unit) {
        this(label, total, unit, System.err);
    }

    Progress(String label, long total, String unit, PrintStream out) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.out = out;
    }

    /**
     * The progress line: a bar of {@code percentage} (clamped to 0-100), what is being done, the rate and the time
     * left ({@code etaSeconds} below 0: unknown, shown as {@code --:--}).
     */
    public static String line(double percentage, String what, double rate, String unit, double etaSeconds) {
        double clamped = Math.min(100, Math.max(0, percentage));
        int filled = (int) Math.round(BAR_WIDTH * clamped / 100);
        String eta = etaSeconds < 0 ? "--:--" : duration((long) Math.ceil(etaSeconds));
        return String.format(Locale.ROOT, "[%s%s] %5.1f%% %s | %.1f %s/s ETA %s ", "#".repeat(filled),
                "-".repeat(BAR_WIDTH - filled), clamped, what, rate, unit, eta);
    }

    /** {@code h:mm:ss}. */
    public static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    public void step() {
        long count = done.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDraw.get();
        if (now - last >= REDRAW_NANOS && lastDraw.compareAndSet(last, now)) {
            draw(count, now, false);
        }
    }

    /** Items per second since this progress started. */
    public double rate() {
        return rate(done.get(), System.nanoTime());
    }

    /** Draws the final line and ends it. */
    @Override
    public void close() {
        draw(done.get(), System.nanoTime(), true);
    }

    private double rate(long count, long now) {
        return count / Math.max(1e-9, (now - start) / 1e9);
    }

    private synchronized void draw(long count, long now, boolean last) {
        double rate = rate(count, now);
        double eta = last ? 0 : rate > 0 ? (total - count) / rate : -1;
        String what = String.format(Locale.ROOT, "%s %d/%d", label, count, total)
                + (last ? String.format(Locale.ROOT, " in %.1f s", (now - start) / 1e9) : "");
        out.print("\r" + line(total == 0 ? 100 : 100.0 * count / total, what, rate, unit, eta) + (last ? "\n" : ""));
        out.flush();
    }
}
