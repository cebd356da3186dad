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
import dev.stackgan.trainer.service.store.RunLeases;
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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training queue, shared by every trainer process on the database: runs wait QUEUED until a worker with a free
 * slot ({@code stackgan.trainer.max-concurrent-runs}) claims one ({@link RunLeases}), train through {@link StageRun},
 * and have everything they report recorded through the {@link Journal}. The worker renews its lease on each run it
 * trains; a run whose worker died (its lease lapsed) is claimed again, here or by another trainer, and resumes from
 * its newest checkpoint on the shared runs directory.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Context
public class RunScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(RunScheduler.class);
    private static final String INTERRUPTED_EVENT = "INTERRUPTED";
    static final String METRICS_MISSING_EVENT = "METRICS_MISSING";
    private static final Duration FINAL_RECORD_WAIT = Duration.ofSeconds(10);

    private final TrainerConfiguration config;
    private final String worker;
    private final RunRepository runs;
    private final RunLeases leases;
    private final MetricRepository metrics;
    private final EventRepository events;
    private final CheckpointRepository checkpoints;
    private final RunSubmissions submissions;
    private final Journal journal;
    private final LiveRuns live;
    private final TrainerMetrics trainerMetrics;
    private final ExecutorService workers;
    /** Polls for claimable runs and renews leases; one thread, so a claim and a renewal never race each other. */
    private final ScheduledExecutorService clock;
    private final Semaphore slots;
    private final Map<Long, Training> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile boolean claimsFailing;

    public RunScheduler(TrainerConfiguration config, RunRepository runs, RunLeases leases, MetricRepository metrics,
                        EventRepository events, CheckpointRepository checkpoints, RunSubmissions submissions,
                        Journal journal, LiveRuns live, TrainerMetrics trainerMetrics) {
        if (config.getMaxConcurrentRuns() < 1) {
            throw new ConfigurationException("stackgan.trainer.max-concurrent-runs must be at least 1, got "
                    + config.getMaxConcurrentRuns());
        }
        if (config.getLeaseDuration().toMillis() < 300) {
            throw new ConfigurationException("stackgan.trainer.lease-duration must be at least 300ms, got "
                    + config.getLeaseDuration());
        }
        this.config = config;
        this.worker = config.getWorkerId();
        this.runs = runs;
        this.leases = leases;
        this.metrics = metrics;
        this.events = events;
        this.checkpoints = checkpoints;
        this.submissions = submissions;
        this.journal = journal;
        this.live = live;
        this.trainerMetrics = trainerMetrics;
        this.slots = new Semaphore(config.getMaxConcurrentRuns());
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.getMaxConcurrentRuns(), r -> {
            Thread thread = new Thread(r, "trainer-run-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "trainer-scheduler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts polling for runs (queued ones, and those a dead worker left RUNNING) and renewing leases. */
    @PostConstruct
    void start() {
        LOG.info("trainer worker {} (lease {}, poll every {})", worker, config.getLeaseDuration(),
                config.getPollInterval());
        clock.scheduleWithFixedDelay(this::claimRuns, 0, config.getPollInterval().toMillis(), TimeUnit.MILLISECONDS);
        long renewal = config.getLeaseDuration().toMillis() / 3;
        clock.scheduleWithFixedDelay(this::renewLeases, renewal, renewal, TimeUnit.MILLISECONDS);
    }

    /** A run was queued here, or a slot came free: look for work now rather than at the next poll. */
    public void claimSoon() {
        if (!stopping) {
            clock.execute(this::claimRuns);
        }
    }

    /**
     * A queued run is cancelled now, a run training here after its current step, and a run training in another
     * trainer after that trainer's next lease renewal.
     */
    public RunRow cancel(long runId) {
        RunRow run = find(runId);
        if (RunStatus.valueOf(run.status()).isFinal()) {
            throw notCancellable(run);
        }
        if (cancelHere(runId)) {
            return run;
        }
        if (leases.cancelWaiting(runId, Instant.now())) {
            live.publish(progress(runId, RunStatus.CANCELLED).setStep(run.step()).setTotalSteps(run.totalSteps())
                    .build());
            return find(runId);
        }
        // claimed meanwhile: by this worker, or by another one, which reads the request when it renews its lease
        if (!cancelHere(runId) && !leases.requestCancel(runId)) {
            throw notCancellable(find(runId)); // it ended meanwhile
        }
        return run;
    }

    private static IllegalStateException notCancellable(RunRow ended) {
        return new IllegalStateException("run " + ended.id() + " already ended " + ended.status() + "; only QUEUED,"
                + " RUNNING or INTERRUPTED runs can be cancelled");
    }

    private boolean cancelHere(long runId) {
        Training training = running.get(runId);
        if (training == null) {
            return false;
        }
        training.cancel();
        return true;
    }

    /** Refuses new runs while the journal is full (it could not keep their records). */
    public void admitNewRun() {
        journal.admit("CreateRun");
    }

    public RunRow resume(long runId) {
        journal.admit("ResumeRun");
        RunRow run = find(runId);
        RunStatus status = RunStatus.valueOf(run.status());
        if (!RunStatus.RESUMABLE.contains(status)) {
            throw new IllegalStateException("run " + runId + " is " + status + "; only INTERRUPTED, FAILED or"
                    + " CANCELLED runs can be resumed");
        }
        if (runs.requeue(runId, status.name()) == 0) {
            throw new IllegalStateException("run " + runId + " changed while it was being resumed (now "
                    + find(runId).status() + ")");
        }
        // replace the ended state watchers would otherwise be handed (and end on) before the worker picks it up
        live.publish(progress(runId, RunStatus.QUEUED).setStep(run.step()).setTotalSteps(run.totalSteps()).build());
        RunRow queuedRow = find(runId); // read before a worker may pick it up: the answer says what this call did
        claimSoon();
        return queuedRow;
    }

    /** Whether INTERRUPTED runs train again without a resume call (any trainer on the database claims them). */
    public boolean resumesInterruptedRuns() {
        return config.isResumeInterrupted();
    }

    private RunRow find(long runId) {
        return runs.findById(runId).orElseThrow(() -> new NotFoundException("run_id", "no run with id " + runId));
    }

    public Path runDirectory(long runId) {
        return config.getRunsDirectory().toAbsolutePath().resolve("run-" + runId);
    }

    /** Claims runs while slots are free; on the scheduler thread. */
    private void claimRuns() {
        try {
            if (!config.isResumeInterrupted()) {
                for (RunLeases.Lapsed lapsed : leases.interruptLapsed()) {
                    recordInterrupted(lapsed.runId(), lapsed.worker(), lapsed.step(), "");
                }
            }
            while (!stopping && slots.tryAcquire()) {
                Optional<RunLeases.Claim> claim = leases.claimNext(worker, config.getLeaseDuration(),
                        config.isResumeInterrupted());
                if (claim.isEmpty()) {
                    slots.release();
                    break;
                }
                startTraining(claim.get());
            }
            if (claimsFailing) {
                claimsFailing = false;
                LOG.info("worker {} reaches the database again and claims runs", worker);
            }
        } catch (RuntimeException e) {
            if (!claimsFailing) { // once per outage, not every poll
                claimsFailing = true;
                LOG.warn("worker {} cannot claim runs ({}); retrying every {}", worker, Journal.rootMessage(e),
                        config.getPollInterval());
            }
        }
    }

    private void startTraining(RunLeases.Claim claim) {
        long runId = claim.runId();
        LOG.info("worker {} claims run {} ({} at step {})", worker, runId, claim.previousStatus(), claim.step());
        if (claim.tookOver()) {
            recordInterrupted(runId, claim.previousWorker(), claim.step(), "; worker " + worker + " resumes it");
        }
        Training training = new Training();
        running.put(runId, training);
        try {
            workers.submit(() -> {
                try {
                    execute(runId, training);
                } finally {
                    running.remove(runId);
                    slots.release();
                    claimSoon();
                }
            });
        } catch (RejectedExecutionException e) { // shutting down: the lease lapses and another worker resumes it
            running.remove(runId);
            slots.release();
        }
    }

    private void recordInterrupted(long runId, String previousWorker, long step, String resumedBy) {
        String message = "worker " + (previousWorker == null ? "(unknown)" : previousWorker) + " stopped renewing"
                + " its lease while the run was RUNNING (last logged step " + step + ")" + resumedBy;
        events.save(new EventRow(null, runId, INTERRUPTED_EVENT, step, message, Instant.now()));
        LOG.warn("run {}: {}", runId, message);
    }

    /** Renews the lease of every run training here; a run whose lease another worker took is stopped at once. */
    private void renewLeases() {
        running.forEach((runId, training) -> {
            try {
                Optional<Boolean> renewed = leases.renew(runId, worker, config.getLeaseDuration());
                if (renewed.isEmpty() && !training.finishing) {
                    LOG.error("run {}: worker {} lost its lease (another worker took the run over after this one"
                            + " could not renew it); stopping it here without recording more", runId, worker);
                    training.leaseLost = true;
                    training.cancel();
                } else if (renewed.get()) {
                    LOG.info("run {}: cancelled through another trainer", runId);
                    training.cancel();
                }
            } catch (RuntimeException e) {
                LOG.warn("run {}: cannot renew the lease ({}); it trains on, and another worker may take it over"
                        + " after {}", runId, Journal.rootMessage(e), config.getLeaseDuration());
            }
        });
    }

    private void execute(long runId, Training training) {
        RunRow run = runs.findById(runId).orElse(null);
        if (run == null) {
            return;
        }
        Recorder recorder = new Recorder(run, training);
        StageRun.Result result;
        try {
            RunSpec.Resolved spec = RunSubmissions.parse(run.spec()).resolve();
            submissions.checkParents(spec);
            recorder.epochs = spec.epochs();
            StageRun stageRun = new StageRun(spec, submissions.datasetDirectory(run.dataset()),
                    runDirectory(runId), recorder);
            training.started(stageRun);
            live.publish(recorder.base(RunStatus.RUNNING).build());
            result = stageRun.run();
        } catch (Exception | Error e) {
            // recorded as FAILED rather than left RUNNING with a dead worker (a native library error is an Error)
            LOG.error("run {} failed", runId, e);
            result = new StageRun.Result(StageRun.Outcome.FAILED, e.getMessage() == null ? e.toString()
                    : e.getMessage(), null);
        } finally {
            trainerMetrics.runEnded(runId);
        }
        if (training.leaseLost) {
            return; // the run is another worker's now: its state is not ours to write
        }
        RunStatus status = switch (result.outcome()) {
            case SUCCEEDED -> RunStatus.SUCCEEDED;
            case FAILED -> RunStatus.FAILED;
            // A shutdown stops runs like a cancel; they resume when a trainer comes back (or another one now).
            case CANCELLED -> stopping ? RunStatus.INTERRUPTED : RunStatus.CANCELLED;
        };
        String error = result.error();
        Instant finished = Instant.now();
        training.finishing = true;
        journal.submit("end of run " + runId, () -> leases.finish(runId, worker, status.name(), finished, error));
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

    /** A run training here; a cancel that comes before its {@link StageRun} exists takes effect when it starts. */
    private static final class Training {
        private volatile StageRun stageRun;
        private volatile boolean cancelled;
        /** Another worker holds the run now: nothing more of it is recorded from here. */
        private volatile boolean leaseLost;
        /**
         * Its end is recorded (or queued to be): a renewal that finds the run no longer RUNNING means that end, not
         * a lost lease. It still renews until then, so no worker takes over a run whose end is waiting for the
         * database.
         */
        private volatile boolean finishing;

        void started(StageRun run) {
            stageRun = run;
            if (cancelled) {
                run.cancel();
            }
        }

        void cancel() {
            cancelled = true;
            StageRun run = stageRun;
            if (run != null) {
                run.cancel();
            }
        }
    }

    static RunProgress.Builder progress(long runId, RunStatus status) {
        return RunProgress.newBuilder().setRunId(runId).setStatus(status.toProto()).setEtaSeconds(-1);
    }

    /**
     * Stops training runs at their next step (they checkpoint and end INTERRUPTED, to be resumed by the next
     * trainer that claims them); their leases are renewed until then, so no other worker takes them over early.
     */
    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        running.values().forEach(Training::cancel);
        workers.shutdown();
        if (!workers.awaitTermination(2, TimeUnit.MINUTES)) {
            LOG.warn("runs still training after 2 minutes; their leases lapse and a trainer resumes them");
        }
        clock.shutdownNow();
    }

    /** Records what one run reports and publishes it to watchers. */
    private final class Recorder implements StageRun.Listener {
        private final long runId;
        private final Training training;
        private final String kind;
        private final long totalSteps;
        private volatile int epochs;
        private volatile StageRun.StepMetrics last;

        Recorder(RunRow run, Training training) {
            this.runId = run.id();
            this.training = training;
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
            if (training.leaseLost) {
                return;
            }
            last = m;
            trainerMetrics.step(runId, kind, m);
            journal.submitMetric(runId, m.step(), "metrics of run " + runId + " step " + m.step(), () -> {
                metrics.upsert(runId, m.step(), m.epoch(), m.discriminatorLoss(), m.generatorLoss(), m.kl(),
                        m.generatorLr(), m.discriminatorLr(), m.imagesPerSecond(), m.wallSeconds());
                leases.progress(runId, worker, m.progress(), m.step());
            });
            live.publish(base(RunStatus.RUNNING).build());
        }

        @Override
        public void onEvent(StageRun.RunEvent event) {
            if (training.leaseLost) {
                return;
            }
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
            if (training.leaseLost) {
                return;
            }
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
