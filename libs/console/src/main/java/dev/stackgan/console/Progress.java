package dev.stackgan.console;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single stderr line "label: done/total (rate/s, ETA m:ss)" for long work, redrawn at most once a second so that
 * parallel workers can call {@link #step()} freely.
 */
public final class Progress implements AutoCloseable {

    private static final long REDRAW_NANOS = 1_000_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastDraw = new AtomicLong(start);

    public Progress(String label, long total) {
        this.label = label;
        this.total = total;
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
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        return count / seconds;
    }

    private synchronized void draw(long count, long now, boolean last) {
        double rate = rate(count, now);
        String tail = last
                ? String.format("in %.1f s", (now - start) / 1e9)
                : "ETA " + minutes(rate > 0 ? (total - count) / rate : 0);
        out.printf("\r%s: %d/%d (%.1f/s, %s)%s", label, count, total, rate, tail, last ? "\n" : "");
        out.flush();
    }

    private static String minutes(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
