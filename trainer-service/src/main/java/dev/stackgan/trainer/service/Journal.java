package dev.stackgan.trainer.service;

import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a training run's records (metrics, events, checkpoints, status) to the database in order, from one
 * thread, so training never waits for the database. While the database is unreachable the writes stay in memory
 * and are retried every {@code stackgan.trainer.database-retry-interval}; the log says how many are waiting, and
 * when the database returns they are written in their original order. Every write is idempotent or an insert, so
 * retrying one that failed half-way is safe.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class Journal {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Deque<Write> pending = new ArrayDeque<>();
    private final long retryMillis;
    private final Thread writer;
    private boolean writing;
    private boolean closed;

    private record Write(String what, Runnable action) {
    }

    public Journal(TrainerConfiguration config) {
        this.retryMillis = Math.max(10, config.getDatabaseRetryInterval().toMillis());
        this.writer = new Thread(this::writeLoop, "trainer-journal");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a write; {@code what} names it in the log while it cannot be written. */
    public synchronized void submit(String what, Runnable action) {
        pending.addLast(new Write(what, action));
        notifyAll();
    }

    /** Writes not yet in the database. */
    public synchronized int pending() {
        return pending.size() + (writing ? 1 : 0);
    }

    /** Waits until every queued write is in the database; false if that took longer than {@code timeout}. */
    public synchronized boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() || writing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void writeLoop() {
        boolean failing = false;
        while (true) {
            Write next;
            synchronized (this) {
                while (pending.isEmpty() && !closed) {
                    waitQuietly(0);
                }
                if (pending.isEmpty()) {
                    return;
                }
                next = pending.peekFirst();
                writing = true;
            }
            try {
                next.action().run();
                synchronized (this) {
                    pending.pollFirst();
                    writing = false;
                    notifyAll();
                    if (failing) {
                        LOG.info("database reachable again; writing {} buffered records", pending.size());
                    }
                }
                failing = false;
            } catch (RuntimeException e) {
                synchronized (this) {
                    writing = false;
                    notifyAll();
                    if (!failing) {
                        LOG.warn("cannot write {} ({}); {} records buffered in memory, retrying every {} ms",
                                next.what(), rootMessage(e), pending.size(), retryMillis);
                    }
                    failing = true;
                    if (closed) {
                        return;
                    }
                    waitQuietly(retryMillis);
                }
            }
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Gives buffered writes a last chance; what still cannot be written is logged as lost, with its count. */
    @PreDestroy
    void close() throws InterruptedException {
        boolean written = flush(CLOSE_TIMEOUT);
        synchronized (this) {
            closed = true;
            notifyAll();
            if (!written) {
                LOG.error("{} training records could not be written to the database and are lost (first: {})",
                        pending.size(), pending.isEmpty() ? "-" : pending.peekFirst().what());
            }
        }
    }
}
