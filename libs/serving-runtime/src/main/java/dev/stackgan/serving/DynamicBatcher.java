package dev.stackgan.serving;

import io.grpc.Deadline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges concurrent requests for the same {@link LoadedModel} into one session run and splits the outputs back.
 * {@link BatchingPolicy#instances()} worker threads form batches in arrival order: the first free worker (by index)
 * waits until the oldest waiting request's version has {@code maxBatchSize} rows waiting or the oldest request has
 * waited {@code maxQueueDelay}, then runs every waiting request of that version that fits. Requests for other versions
 * wait for their own run (never merged). A request that arrives while nothing is queued and a worker is free runs at
 * once unless {@link BatchingPolicy#waitWhenIdle()}. A request whose deadline passes while it waits is answered
 * DEADLINE_EXCEEDED and never run. A batch that starts while another worker is still running or answering its own
 * runs {@linkplain LoadedModel#run(Map, boolean) overlapped}. Batches go to the first free worker, so requests one at
 * a time always run on the same thread: alternating between two threads made a lone Stage-II run 15-25 % slower.
 */
public final class DynamicBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

    private final BatchingPolicy policy;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per worker: wakes it when the queue or the workers changed; guarded by lock. */
    private final Condition[] wake;
    /** Waiting requests in arrival order; guarded by lock. */
    private final LinkedList<Pending> queue = new LinkedList<>();
    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1,
            daemon("batcher-deadlines"));
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong runRows = new AtomicLong();
    private volatile boolean closed;
    /** Workers running a batch now; guarded by lock. */
    private int running;
    /** Per worker: running a batch or answering its requests (building responses, encoding images); guarded by lock. */
    private final boolean[] busy;

    /** {@code arrivedIdle}: nothing was queued and a worker was free when it arrived. */
    private record Pending(LoadedModel model, Map<String, InputRows> inputs, int rows, long arrivedNanos,
                           boolean arrivedIdle, CompletableFuture<Map<String, float[]>> result) {
    }

    /** A batch taken from the queue; {@code overlapped}: another worker was busy when it started. */
    private record Batch(List<Pending> requests, boolean overlapped) {
    }

    /** What the batcher reports of each run (metrics); called on its worker thread, so it must be quick. */
    public interface Listener {
        /**
         * One session run of {@code rows} rows took {@code runNanos} (failed or not); {@code waitNanos} holds how long
         * each request in it waited in the queue; {@code overlapped}: it started while another batch was busy.
         */
        void batchRan(int rows, long runNanos, long[] waitNanos, boolean overlapped);
    }

    public DynamicBatcher(BatchingPolicy policy, String name) {
        this(policy, name, (rows, runNanos, waitNanos, overlapped) -> { });
    }

    public DynamicBatcher(BatchingPolicy policy, String name, Listener listener) {
        this.policy = policy;
        this.listener = listener;
        deadlines.setRemoveOnCancelPolicy(true);
        wake = new Condition[policy.instances()];
        busy = new boolean[policy.instances()];
        for (int i = 0; i < policy.instances(); i++) {
            wake[i] = lock.newCondition();
            int worker = i;
            daemon(policy.instances() == 1 ? "batcher-" + name : "batcher-" + name + "-" + i)
                    .newThread(() -> work(worker)).start();
        }
    }

    public BatchingPolicy policy() {
        return policy;
    }

    /** Session runs so far; with merging, fewer than the requests submitted. */
    public long runs() {
        return runs.get();
    }

    /** Rows run so far (sum of batch sizes). */
    public long rowsRun() {
        return runRows.get();
    }

    /** Requests waiting in the queue now (a request whose answer is already decided may still be counted). */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code rows} rows of every graph input for {@code model}. The future completes with the request's own
     * slice of every output, or fails with a gRPC status: RESOURCE_EXHAUSTED at once when the queue is full,
     * DEADLINE_EXCEEDED when {@code deadline} (may be null) passes first, INTERNAL when the run fails.
     */
    public CompletableFuture<Map<String, float[]>> submit(LoadedModel model, Map<String, InputRows> inputs,
                                                          Deadline deadline) {
        int rows = inputs.values().iterator().next().rows();
        CompletableFuture<Map<String, float[]>> result = new CompletableFuture<>();
        if (deadline != null && deadline.isExpired()) {
            result.completeExceptionally(Errors.deadlineExceeded("deadline passed before the request was queued"));
            return result;
        }
        lock.lock();
        try {
            queue.removeIf(p -> p.result().isDone());
            if (closed) {
                result.completeExceptionally(io.grpc.Status.UNAVAILABLE
                        .withDescription("server is shutting down").asRuntimeException());
                return result;
            }
            if (queue.size() >= policy.maxQueueSize()) {
                result.completeExceptionally(Errors.resourceExhausted("request queue is full: "
                        + queue.size() + " requests waiting (batching.max-queue-size " + policy.maxQueueSize()
                        + "); retry later"));
                return result;
            }
            boolean idle = queue.isEmpty() && running < policy.instances();
            queue.add(new Pending(model, inputs, rows, System.nanoTime(), idle, result));
            wakeFirstFree();
        } finally {
            lock.unlock();
        }
        if (deadline != null) {
            ScheduledFuture<?> expiry = deadlines.schedule(() -> result.completeExceptionally(
                    Errors.deadlineExceeded("deadline passed while the request waited in the queue; it was not run")),
                    deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
            result.whenComplete((outputs, error) -> expiry.cancel(false));
        }
        return result;
    }

    private void work(int worker) {
        while (!closed) {
            Batch batch;
            try {
                batch = nextBatch(worker);
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                continue;
            }
            Runnable answers = run(batch);
            // free again before anyone hears back: a client that sends its next request as soon as its answer
            // arrives finds a worker free, and a lone request then runs at once instead of waiting the delay
            lock.lock();
            try {
                running--;
            } finally {
                lock.unlock();
            }
            try {
                answers.run();
            } finally {
                lock.lock();
                try {
                    busy[worker] = false;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Blocks until a batch is due for {@code worker} and takes it out of the queue; null once closed. */
    private Batch nextBatch(int worker) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                queue.removeIf(p -> p.result().isDone());
                if (closed) {
                    return null;
                }
                if (queue.isEmpty() || !firstFree(worker)) {
                    wake[worker].await();
                    continue;
                }
                Pending oldest = queue.getFirst();
                List<Pending> batch = new ArrayList<>();
                int rows = 0;
                for (Pending p : queue) {
                    if (p.model() == oldest.model() && rows + p.rows() <= policy.maxBatchSize()) {
                        batch.add(p);
                        rows += p.rows();
                    }
                }
                long waitNanos = oldest.arrivedNanos() + policy.maxQueueDelay().toNanos() - System.nanoTime();
                boolean lone = !policy.waitWhenIdle() && batch.size() == 1 && oldest.arrivedIdle();
                if (rows < policy.maxBatchSize() && waitNanos > 0 && !lone) {
                    wake[worker].awaitNanos(waitNanos);
                    continue;
                }
                queue.removeAll(batch);
                boolean overlapped = false;
                for (boolean other : busy) {
                    overlapped |= other;
                }
                running++;
                busy[worker] = true;
                if (!queue.isEmpty()) {
                    wakeFirstFree();
                }
                return new Batch(batch, overlapped);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether every worker before {@code worker} is busy; guarded by lock. */
    private boolean firstFree(int worker) {
        for (int i = 0; i < worker; i++) {
            if (!busy[i]) {
                return false;
            }
        }
        return true;
    }

    /** Wakes the first worker that is not busy, if any; a busy one looks at the queue when it is done. */
    private void wakeFirstFree() {
        for (int i = 0; i < busy.length; i++) {
            if (!busy[i]) {
                wake[i].signal();
                return;
            }
        }
    }

    /** Runs the batch; returns what answers its requests, for the caller to run once its worker is free. */
    private Runnable run(Batch taken) {
        List<Pending> batch = taken.requests();
        // A request may have expired between forming the batch and now: drop it rather than run it.
        batch.removeIf(p -> p.result().isDone());
        if (batch.isEmpty()) {
            return () -> { };
        }
        LoadedModel model = batch.get(0).model();
        Map<String, float[]> outputs;
        int rows = batch.stream().mapToInt(Pending::rows).sum();
        long start = System.nanoTime();
        long[] waits = batch.stream().mapToLong(p -> start - p.arrivedNanos()).toArray();
        try {
            outputs = model.run(concatenate(batch), taken.overlapped());
            runs.incrementAndGet();
            runRows.addAndGet(rows);
        } catch (Exception | Error e) {
            LOG.error("{} run of bundle {} at batch {} failed", model.signature().name(), model.version(), rows, e);
            return () -> batch.forEach(p -> p.result().completeExceptionally(io.grpc.Status.INTERNAL
                    .withDescription("model run failed: " + e.getMessage()).asRuntimeException()));
        } finally {
            // before any request is answered: a client that scrapes after its answer finds its run counted
            listener.batchRan(rows, System.nanoTime() - start, waits, taken.overlapped());
        }
        return () -> answer(batch, outputs, rows);
    }

    /** Completes each request with its own rows of every output; a lone request takes the outputs as they are. */
    private static void answer(List<Pending> batch, Map<String, float[]> outputs, int rows) {
        if (batch.size() == 1) {
            batch.get(0).result().complete(outputs);
            return;
        }
        int firstRow = 0;
        for (Pending p : batch) {
            Map<String, float[]> slice = new HashMap<>();
            for (Map.Entry<String, float[]> output : outputs.entrySet()) {
                int rowSize = output.getValue().length / rows;
                float[] part = new float[p.rows() * rowSize];
                System.arraycopy(output.getValue(), firstRow * rowSize, part, 0, part.length);
                slice.put(output.getKey(), part);
            }
            p.result().complete(slice);
            firstRow += p.rows();
        }
    }

    private static Map<String, InputRows> concatenate(List<Pending> batch) {
        if (batch.size() == 1) {
            return batch.get(0).inputs();
        }
        Map<String, InputRows> merged = new HashMap<>();
        for (String name : batch.get(0).inputs().keySet()) {
            merged.put(name, InputRows.concatenate(batch.stream().map(p -> p.inputs().get(name)).toList()));
        }
        return merged;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.forEach(p -> p.result().completeExceptionally(io.grpc.Status.UNAVAILABLE
                    .withDescription("server is shutting down").asRuntimeException()));
            queue.clear();
            for (Condition worker : wake) {
                worker.signal();
            }
        } finally {
            lock.unlock();
        }
        deadlines.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
