package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.RunEvent;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.trainer.run.Checkpoint;
import dev.stackgan.trainer.run.RunSpec;
import dev.stackgan.trainer.run.StageRun;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.EventRepository;
import dev.stackgan.trainer.service.store.EventRow;
import dev.stackgan.trainer.service.store.MetricRepository;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training queue: runs wait QUEUED for one of {@code stackgan.trainer.max-concurrent-runs} slots, train through
 * {@link StageRun}, and have everything they report recorded through the {@link Journal}. At start, runs left
 * RUNNING by a dead process become INTERRUPTED and are queued again (resuming from their newest checkpoint).
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Context
public class RunScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(RunScheduler.class);
    private static final String INTERRUPTED_EVENT = "INTERRUPTED";
    private static final String METRICS_MISSING_EVENT = "METRICS_MISSING";
    private static final Duration FINAL_RECORD_WAIT = Duration.ofSeconds(10);

    private final TrainerConfiguration config;
    private final RunRepository runs;
    private final MetricRepository metrics;
    private final EventRepository events;
    private final CheckpointRepository checkpoints;
    private final RunSubmissions submissions;
    private final Journal journal;
    private final LiveRuns live;
    private final TrainerMetrics trainerMetrics;
    private final ExecutorService workers;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();
    private final Map<Long, StageRun> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public RunScheduler(TrainerConfiguration config, RunRepository runs, MetricRepository metrics,
                        EventRepository events, CheckpointRepository checkpoints, RunSubmissions submissions,
                        Journal journal, LiveRuns live, TrainerMetrics trainerMetrics) {
        if (config.getMaxConcurrentRuns() < 1) {
            throw new ConfigurationException("stackgan.trainer.max-concurrent-runs must be at least 1, got "
                    + config.getMaxConcurrentRuns());
        }
        this.config = config;
        this.runs = runs;
        this.metrics = metrics;
        this.events = events;
        this.checkpoints = checkpoints;
        this.submissions = submissions;
        this.journal = journal;
        this.live = live;
        this.trainerMetrics = trainerMetrics;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.getMaxConcurrentRuns(), r -> {
            Thread thread = new Thread(r, "trainer-run-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs a dead process left RUNNING become INTERRUPTED; queued and (if configured) interrupted runs go on. */
    @PostConstruct
    void recover() {
        for (RunRow run : runs.findByStatusOrderById(RunStatus.RUNNING.name())) {
            runs.updateStatus(run.id(), RunStatus.INTERRUPTED.name());
            events.save(new EventRow(null, run.id(), INTERRUPTED_EVENT, run.step(), "the trainer stopped while the"
                    + " run was RUNNING (last logged step " + run.step() + ")", Instant.now()));
            LOG.warn("run {} ({}) was interrupted at step {}", run.id(), run.name(), run.step());
        }
        if (config.isResumeInterrupted()) {
            for (RunRow run : runs.findByStatusOrderById(RunStatus.INTERRUPTED.name())) {
                runs.updateStatus(run.id(), RunStatus.QUEUED.name());
            }
        }
        for (RunRow run : runs.findByStatusOrderById(RunStatus.QUEUED.name())) {
            enqueue(run.id());
        }
    }

    public void enqueue(long runId) {
        queued.add(runId);
        workers.submit(() -> execute(runId));
    }

    /** A queued run is cancelled now, a running one after its current step. */
    public RunRow cancel(long runId) {
        RunRow run = find(runId);
        RunStatus status = RunStatus.valueOf(run.status());
        if (status.isFinal()) {
            throw new IllegalStateException("run " + runId + " already ended " + status + "; only QUEUED, RUNNING"
                    + " or INTERRUPTED runs can be cancelled");
        }
        StageRun training = running.get(runId);
        if (training != null) {
            training.cancel();
            return run;
        }
        queued.remove(runId);
        runs.finish(runId, RunStatus.CANCELLED.name(), Instant.now(), null);
        live.publish(progress(runId, RunStatus.CANCELLED).setStep(run.step()).setTotalSteps(run.totalSteps())
                .build());
        return find(runId);
    }

    public RunRow resume(long runId) {
        RunRow run = find(runId);
        RunStatus status = RunStatus.valueOf(run.status());
        if (!RunStatus.RESUMABLE.contains(status)) {
            throw new IllegalStateException("run " + runId + " is " + status + "; only INTERRUPTED, FAILED or"
                    + " CANCELLED runs can be resumed");
        }
        runs.updateStatus(runId, RunStatus.QUEUED.name());
        // replace the ended state watchers would otherwise be handed (and end on) before the worker picks it up
        live.publish(progress(runId, RunStatus.QUEUED).setStep(run.step()).setTotalSteps(run.totalSteps()).build());
        RunRow queuedRow = find(runId); // read before a worker may pick it up: the answer says what this call did
        enqueue(runId);
        return queuedRow;
    }

    public boolean isQueuedOrRunning(long runId) {
        return queued.contains(runId) || running.containsKey(runId);
    }

    private RunRow find(long runId) {
        return runs.findById(runId).orElseThrow(() -> new NotFoundException("run_id", "no run with id " + runId));
    }

    public Path runDirectory(long runId) {
        return config.getRunsDirectory().toAbsolutePath().resolve("run-" + runId);
    }

    private void execute(long runId) {
        if (!queued.remove(runId) || stopping) {
            return; // cancelled while it waited
        }
        RunRow run = readWhenReachable(runId);
        if (run == null) {
            return;
        }
        Recorder recorder = new Recorder(run);
        StageRun.Result result;
        try {
            RunSpec.Resolved spec = RunSubmissions.parse(run.spec()).resolve();
            recorder.epochs = spec.epochs();
            StageRun training = new StageRun(spec, submissions.datasetDirectory(run.dataset()),
                    runDirectory(runId), recorder);
            running.put(runId, training);
            Instant started = Instant.now();
            journal.submit("start of run " + runId, () -> runs.markRunning(runId, started));
            live.publish(recorder.base(RunStatus.RUNNING).build());
            result = training.run();
        } catch (Exception | Error e) {
            // recorded as FAILED rather than left RUNNING with a dead worker (a native library error is an Error)
            LOG.error("run {} failed", runId, e);
            result = new StageRun.Result(StageRun.Outcome.FAILED, e.getMessage() == null ? e.toString()
                    : e.getMessage(), null);
        } finally {
            running.remove(runId);
            trainerMetrics.runEnded(runId);
        }
        RunStatus status = switch (result.outcome()) {
            case SUCCEEDED -> RunStatus.SUCCEEDED;
            case FAILED -> RunStatus.FAILED;
            // A shutdown stops runs like a cancel; they resume when the trainer comes back.
            case CANCELLED -> stopping ? RunStatus.INTERRUPTED : RunStatus.CANCELLED;
        };
        String error = result.error();
        Instant finished = Instant.now();
        journal.submit("end of run " + runId, () -> runs.finish(runId, status.name(), finished, error));
        try {
            // watchers that see the end can read the final record at once, unless the database is away
            journal.flush(FINAL_RECORD_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunProgress.Builder end = recorder.base(status);
        if (error != null) {
            end.setError(error);
        }
        live.publish(end.build());
        LOG.info("run {} ({}) ended {}{}", runId, run.name(), status, error == null ? "" : ": " + error);
    }

    /** The run's row; while the database is away this waits for it, so that a queued run is not dropped. */
    private RunRow readWhenReachable(long runId) {
        while (!stopping) {
            try {
                return runs.findById(runId).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("cannot read run {} ({}); retrying", runId, Journal.rootMessage(e));
                try {
                    Thread.sleep(config.getDatabaseRetryInterval().toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    static RunProgress.Builder progress(long runId, RunStatus status) {
        return RunProgress.newBuilder().setRunId(runId).setStatus(status.toProto()).setEtaSeconds(-1);
    }

    /** Stops training runs at their next step (they checkpoint) so that they resume on the next start. */
    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        running.values().forEach(StageRun::cancel);
        workers.shutdown();
        if (!workers.awaitTermination(2, TimeUnit.MINUTES)) {
            LOG.warn("runs still training after 2 minutes; they will be INTERRUPTED and resumed at the next start");
        }
    }

    /** Records what one run reports and publishes it to watchers. */
    private final class Recorder implements StageRun.Listener {
        private final long runId;
        private final String kind;
        private final long totalSteps;
        private volatile int epochs;
        private volatile StageRun.StepMetrics last;

        Recorder(RunRow run) {
            this.runId = run.id();
            this.kind = run.kind();
            this.totalSteps = run.totalSteps();
        }

        RunProgress.Builder base(RunStatus status) {
            RunProgress.Builder progress = progress(runId, status).setEpochs(epochs).setTotalSteps(totalSteps);
            StageRun.StepMetrics m = last;
            if (m != null) {
                progress.setEpoch(m.epoch()).setStep(m.step()).setPercentage(100 * m.progress())
                        .setDiscriminatorLoss(m.discriminatorLoss()).setGeneratorLoss(m.generatorLoss())
                        .setKl(m.kl()).setGeneratorLr(m.generatorLr()).setDiscriminatorLr(m.discriminatorLr())
                        .setImagesPerSecond(m.imagesPerSecond()).setEtaSeconds(m.etaSeconds());
            }
            return progress;
        }

        @Override
        public void onStep(StageRun.StepMetrics m) {
            last = m;
            trainerMetrics.step(runId, kind, m);
            journal.submit("metrics of run " + runId + " step " + m.step(), () -> {
                metrics.upsert(runId, m.step(), m.epoch(), m.discriminatorLoss(), m.generatorLoss(), m.kl(),
                        m.generatorLr(), m.discriminatorLr(), m.imagesPerSecond(), m.wallSeconds());
                runs.updateProgress(runId, m.progress(), m.step());
            });
            live.publish(base(RunStatus.RUNNING).build());
        }

        @Override
        public void onEvent(StageRun.RunEvent event) {
            Instant now = Instant.now();
            if (event.type() == StageRun.EventType.DIVERGENCE_ROLLED_BACK) {
                trainerMetrics.rolledBack(kind);
            }
            journal.submit(event.type() + " event of run " + runId, () -> events.save(new EventRow(null, runId,
                    event.type().name(), event.step(), event.message(), now)));
            if (event.type() == StageRun.EventType.RESUMED) {
                // steps logged after the checkpoint are trained again: their rows must not stay twice
                journal.submit("metrics of run " + runId + " after step " + event.step(), () -> {
                    metrics.deleteAfter(runId, event.step());
                    recordMissingMetrics(event.step(), now);
                });
            }
            live.publish(base(RunStatus.RUNNING).setEvent(RunEvent.newBuilder().setType(Protos.eventType(event.type()))
                    .setStep(event.step()).setMessage(event.message()).setCreateTime(Protos.timestamp(now))).build());
        }

        /**
         * Steps up to the checkpoint whose metrics were still buffered when a process was killed are lost: say so
         * in an event instead of leaving a silent gap.
         */
        private void recordMissingMetrics(long step, Instant now) {
            long missing = step - metrics.countUpTo(runId, step);
            if (missing > 0) {
                String message = missing + " of the " + step + " steps up to the resumed checkpoint have no metrics:"
                        + " they were not yet written when the trainer stopped";
                LOG.warn("run {}: {}", runId, message);
                events.save(new EventRow(null, runId, METRICS_MISSING_EVENT, step, message, now));
            }
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint, Map<String, Double> evaluation) {
            DirectoryDigest digest;
            try {
                digest = DirectoryDigest.of(checkpoint.directory());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String evaluationJson = Protos.json(evaluation);
            Instant now = Instant.now();
            Checkpoint.State state = checkpoint.state();
            trainerMetrics.checkpointWritten(kind);
            journal.submit("checkpoint " + checkpoint.directory(), () -> checkpoints.upsert(runId, state.epoch(),
                    state.step(), checkpoint.directory().toAbsolutePath().toString(), digest.sha256(),
                    digest.filesJson(), digest.sizeBytes(), evaluationJson, now));
        }
    }
}
