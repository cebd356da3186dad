package dev.stackgan.trainer.service;

import dev.stackgan.trainer.service.store.EventRepository;
import dev.stackgan.trainer.service.store.EventRow;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a training run's records (metrics, events, checkpoints, status) to the database in order, from one
 * thread, so training never waits for the database. While the database is unreachable the writes stay in memory
 * and are retried every {@code stackgan.trainer.database-retry-interval}; the log says how many are waiting, and
 * when the database returns they are written in their original order. Every write is idempotent or an insert, so
 * retrying one that failed half-way is safe.
 *
 * <p>The buffer holds at most {@code stackgan.trainer.journal-capacity} records. Per-step metric rows are the only
 * ones it may drop: they are a sampled curve, and a gap is said in the run's events. Status changes, checkpoints and
 * events are never dropped: when the buffer is full one of them takes the place of the oldest buffered metric row,
 * and while it is full the trainer refuses new work (creating or resuming runs, {@link #admit}) rather than accept
 * records it would have to lose. Every drop is logged, counted ({@link #dropped}) and, once the database is back
 * and the buffer drained, recorded as a METRICS_MISSING event of its run stating how many steps lost their metrics.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class Journal {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Deque<Write> pending = new ArrayDeque<>();
    private final int capacity;
    private final long retryMillis;
    private final EventRepository events;
    private final Thread writer;
    /** Metric rows dropped per run and not yet stated in an event. */
    private final Map<Long, Dropped> unreported = new LinkedHashMap<>();
    private long droppedTotal;
    private long refusedTotal;
    private boolean writing;
    private boolean closed;

    /** {@code runId} and {@code step} are set on a droppable write: the metric row of one step. */
    private record Write(String what, Runnable action, boolean droppable, long runId, long step) {
    }

    /** Dropped metric rows of one run: how many, and the last step (the event's step). */
    private static final class Dropped {
        long count;
        long lastStep;
    }

    /** Refused work while the buffer is full (gRPC UNAVAILABLE, HTTP 503). */
    public static final class FullException extends RuntimeException {
        FullException(String message) {
            super(message);
        }
    }

    public Journal(TrainerConfiguration config, EventRepository events) {
        if (config.getJournalCapacity() < 1) {
            throw new ConfigurationException("stackgan.trainer.journal-capacity must be at least 1, got "
                    + config.getJournalCapacity());
        }
        this.capacity = config.getJournalCapacity();
        this.retryMillis = Math.max(10, config.getDatabaseRetryInterval().toMillis());
        this.events = events;
        this.writer = new Thread(this::writeLoop, "trainer-journal");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a write that must not be lost; {@code what} names it in the log while it cannot be written. */
    public synchronized void submit(String what, Runnable action) {
        if (pending.size() >= capacity && !evictOldestMetric()) {
            LOG.error("journal over its capacity of {} records with no metric row left to drop: keeping {} anyway,"
                    + " records that must not be lost", capacity, what);
        }
        pending.addLast(new Write(what, action, false, 0, 0));
        notifyAll();
    }

    /** Queues the metric row of one step of a run; dropped (and counted) while the buffer is full. */
    public synchronized void submitMetric(long runId, long step, String what, Runnable action) {
        Write write = new Write(what, action, true, runId, step);
        if (pending.size() >= capacity) {
            drop(write);
            return;
        }
        pending.addLast(write);
        notifyAll();
    }

    /** The oldest buffered metric row (not the one being written) is dropped; false if there is none. */
    private boolean evictOldestMetric() {
        Iterator<Write> writes = pending.iterator();
        if (writing && writes.hasNext()) {
            writes.next();
        }
        while (writes.hasNext()) {
            Write write = writes.next();
            if (write.droppable()) {
                writes.remove();
                drop(write);
                return true;
            }
        }
        return false;
    }

    private void drop(Write write) {
        Dropped run = unreported.computeIfAbsent(write.runId(), id -> new Dropped());
        if (run.count == 0) {
            LOG.error("journal full ({} records, stackgan.trainer.journal-capacity): dropping metric rows of run {}"
                    + " from step {} until the database takes the backlog", capacity, write.runId(), write.step());
        }
        run.count++;
        run.lastStep = Math.max(run.lastStep, write.step());
        droppedTotal++;
    }

    /**
     * Refuses new work ({@code call} names it) while the buffer is full, so that no record that must be kept is
     * made beyond it.
     */
    public synchronized void admit(String call) {
        if (pending.size() >= capacity) {
            refusedTotal++;
            LOG.warn("refused {}: the journal holds its capacity of {} unwritten records", call, capacity);
            throw new FullException(call + " refused: the trainer holds " + pending.size() + " records it could not"
                    + " yet write to the database (stackgan.trainer.journal-capacity " + capacity + "); retry when"
                    + " the database has taken them");
        }
    }

    /** Writes not yet in the database. */
    public synchronized int pending() {
        return pending.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Metric rows dropped since start. */
    public synchronized long dropped() {
        return droppedTotal;
    }

    /** Calls refused by {@link #admit} since start. */
    public synchronized long refused() {
        return refusedTotal;
    }

    /** Waits until every queued write is in the database; false if that took longer than {@code timeout}. */
    public synchronized boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() || writing || !unreported.isEmpty()) {
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
                while (pending.isEmpty() && unreported.isEmpty() && !closed) {
                    waitQuietly(0);
                }
                if (pending.isEmpty() && unreported.isEmpty()) {
                    return;
                }
                // drops are stated once the backlog is written: the count is then final for this outage
                next = pending.isEmpty() ? reportDrops() : pending.peekFirst();
                writing = true;
            }
            try {
                next.action().run();
                synchronized (this) {
                    if (!pending.isEmpty() && pending.peekFirst() == next) {
                        pending.pollFirst();
                    }
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
                        LOG.warn("cannot write {} ({}); {} records buffered in memory (capacity {}), retrying every"
                                + " {} ms", next.what(), rootMessage(e), pending.size(), capacity, retryMillis);
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

    /**
     * The write of one METRICS_MISSING event per run that lost metric rows; the counts go back if it fails, to be
     * stated with any later drops.
     */
    private Write reportDrops() {
        Map<Long, Dropped> report = new LinkedHashMap<>(unreported);
        unreported.clear();
        Instant now = Instant.now();
        return new Write("events about dropped metric rows", () -> {
            try {
                for (Iterator<Map.Entry<Long, Dropped>> runs = report.entrySet().iterator(); runs.hasNext(); ) {
                    Map.Entry<Long, Dropped> run = runs.next();
                    String message = "metrics of " + run.getValue().count + " steps were dropped: the database was"
                            + " unreachable and the trainer's journal was full (stackgan.trainer.journal-capacity "
                            + capacity + ")";
                    LOG.warn("run {}: {}", run.getKey(), message);
                    events.save(new EventRow(null, run.getKey(), RunScheduler.METRICS_MISSING_EVENT,
                            run.getValue().lastStep, message, now));
                    runs.remove(); // stated: not restored if a later run's event fails
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    report.forEach((runId, dropped) -> {
                        Dropped later = unreported.computeIfAbsent(runId, id -> new Dropped());
                        later.count += dropped.count;
                        later.lastStep = Math.max(later.lastStep, dropped.lastStep);
                    });
                }
                throw e;
            }
        }, false, 0, 0);
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
                LOG.error("{} training records could not be written to the database and are lost (first: {}); {}"
                        + " metric rows dropped earlier are not stated in their runs' events", pending.size(),
                        pending.isEmpty() ? "-" : pending.peekFirst().what(),
                        unreported.values().stream().mapToLong(d -> d.count).sum());
            }
        }
    }
}
