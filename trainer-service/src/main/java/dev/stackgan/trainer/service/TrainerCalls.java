package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.ListBundlesResponse;
import dev.stackgan.proto.v1.ListCheckpointsResponse;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.ListRunsResponse;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunEvent;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import dev.stackgan.trainer.run.Checkpoint;
import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.EventRepository;
import dev.stackgan.trainer.service.store.MetricRepository;
import dev.stackgan.trainer.service.store.MetricRow;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The trainer's calls as stackgan.v1 messages: what the gRPC API ({@link TrainerEndpoint}) and the dashboard's HTTP
 * API ({@code http/}) both answer, so the two never disagree. Refusals are exceptions: {@link InvalidFieldException}
 * and IllegalArgumentException (bad input), {@link NotFoundException}, IllegalStateException (the object's state);
 * each front end turns them into its statuses.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class TrainerCalls {

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final RunSubmissions submissions;
    private final RunScheduler scheduler;
    private final RunRepository runs;
    private final CheckpointRepository checkpoints;
    private final MetricRepository metrics;
    private final EventRepository events;
    private final Bundles bundles;
    private final LiveRuns live;
    private final ConfinedPaths paths;
    private final CheckpointImports imports;

    public TrainerCalls(RunSubmissions submissions, RunScheduler scheduler, RunRepository runs,
                        CheckpointRepository checkpoints, MetricRepository metrics, EventRepository events,
                        Bundles bundles, LiveRuns live, ConfinedPaths paths, CheckpointImports imports) {
        this.submissions = submissions;
        this.scheduler = scheduler;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
        this.events = events;
        this.bundles = bundles;
        this.live = live;
        this.paths = paths;
        this.imports = imports;
    }

    public Run create(RunSpec spec) {
        scheduler.admitNewRun();
        RunSubmissions.Submission s = submissions.check(Protos.spec(spec));
        RunRow row = runs.save(new RunRow(null, s.resolved().name(), s.resolved().kind().id(),
                RunStatus.QUEUED.name(), s.specJson(), s.resolved().dataset(), s.parentCheckpointId(),
                Instant.now(), null, null, null, 0, 0, s.totalSteps(), null));
        scheduler.claimSoon();
        return run(row);
    }

    public Run get(long runId) {
        return run(find(runId));
    }

    private RunRow find(long runId) {
        return runs.findById(runId).orElseThrow(() -> new NotFoundException("run_id", "no run with id " + runId));
    }

    private Run run(RunRow row) {
        return Protos.run(row, checkpointIds());
    }

    /**
     * The recorded ids of the checkpoint directories that stored specs name, for one answer (each directory is
     * looked up once).
     */
    private Function<String, Long> checkpointIds() {
        Map<String, Long> ids = new HashMap<>();
        return path -> ids.computeIfAbsent(path, p -> checkpoints.findByPath(p).map(CheckpointRow::id).orElse(null));
    }

    public ListRunsResponse list(ListRunsRequest request) {
        int size = request.getPageSize();
        if (size < 0 || size > MAX_PAGE) {
            throw new InvalidFieldException("page_size", "page_size must be 0 to " + MAX_PAGE + ", got " + size);
        }
        int limit = size == 0 ? DEFAULT_PAGE : size;
        long before;
        try {
            before = request.getPageToken().isEmpty() ? Long.MAX_VALUE : Long.parseLong(request.getPageToken());
        } catch (NumberFormatException e) {
            throw new InvalidFieldException("page_token", "page_token " + ConfinedPaths.shown(request.getPageToken())
                    + " is not one this service returned");
        }
        List<String> statuses;
        try {
            statuses = request.getStatusList().isEmpty()
                    ? Arrays.stream(RunStatus.values()).map(Enum::name).toList()
                    : request.getStatusList().stream().map(s -> RunStatus.of(s).name()).toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("status", e.getMessage());
        }
        String kind = Protos.word("kind", request.getKind());
        List<RunRow> page = runs.page(statuses, kind == null ? "" : kind, before, limit + 1);
        ListRunsResponse.Builder response = ListRunsResponse.newBuilder();
        Function<String, Long> checkpointIds = checkpointIds();
        page.stream().limit(limit).forEach(r -> response.addRuns(Protos.run(r, checkpointIds)));
        if (page.size() > limit) {
            response.setNextPageToken(Long.toString(page.get(limit - 1).id()));
        }
        return response.build();
    }

    public Run cancel(long runId) {
        return run(scheduler.cancel(runId));
    }

    public Run resume(long runId) {
        return run(scheduler.resume(runId));
    }

    public ListCheckpointsResponse checkpoints(long runId) {
        find(runId);
        ListCheckpointsResponse.Builder response = ListCheckpointsResponse.newBuilder();
        checkpoints.findByRunIdOrderByStep(runId).forEach(c -> response.addCheckpoints(Protos.checkpoint(c)));
        return response.build();
    }

    public dev.stackgan.proto.v1.Checkpoint importCheckpoint(String path, String name) throws IOException {
        return Protos.checkpoint(imports.importCheckpoint(path, name));
    }

    public Bundle export(List<Long> checkpointIds, String bundleId) throws IOException {
        return bundle(bundles.export(checkpointIds, bundleId));
    }

    public Bundle promote(String bundleId) throws IOException {
        return bundle(bundles.promote(bundleId));
    }

    public ListBundlesResponse bundles() {
        ListBundlesResponse.Builder response = ListBundlesResponse.newBuilder();
        bundles.list().forEach(b -> response.addBundles(bundle(b)));
        return response.build();
    }

    private Bundle bundle(BundleRow row) {
        return Protos.bundle(row, bundles.sources(row.bundleId()));
    }

    /** Every logged step of a run, in step order (the history WatchRun streams live). */
    public List<MetricRow> metrics(long runId) {
        find(runId);
        return metrics.findByRun(runId);
    }

    /** Everything recorded as happening to a run, oldest first. */
    public List<RunEvent> events(long runId) {
        find(runId);
        return events.findByRunIdOrderById(runId).stream().map(Protos::event).toList();
    }

    /** The sample sheet (PNG) of a GAN stage's evaluated checkpoint (step 0's and a cancel's are not evaluated). */
    public Path samples(long checkpointId) {
        CheckpointRow row = checkpoints.findById(checkpointId).orElseThrow(() -> new NotFoundException(
                "checkpoint_id", "no checkpoint with id " + checkpointId));
        Path sheet = paths.checkpoint("checkpoint_id", row).resolve(Checkpoint.SAMPLES_FILE);
        if (!Files.isRegularFile(sheet)) {
            throw new NotFoundException("checkpoint_id", "checkpoint " + checkpointId + " has no sample sheet: only"
                    + " the evaluated checkpoints of GAN stages draw one");
        }
        return sheet;
    }

    /** Where one watch's messages go: a gRPC stream or server-sent events. */
    public interface ProgressSink {
        void next(RunProgress progress);

        void completed();

        void failed(Exception e);

        /** The watcher went away: nothing more is sent. */
        boolean isCancelled();
    }

    /**
     * Watches a run: {@code sink} gets the run's state now, then one message per logged step and per event, and is
     * completed after the message with a final status (or at once for an INTERRUPTED run that nothing will resume).
     * The returned action stops the watch; call it when the watcher goes away.
     */
    public Runnable watch(long runId, ProgressSink sink) {
        Watch watch = new Watch(sink);
        Runnable unwatch = live.watch(runId, watch::send);
        try {
            RunProgress first = live.latest(runId).orElseGet(() -> {
                RunRow row = find(runId);
                return RunScheduler.progress(runId, RunStatus.valueOf(row.status())).setStep(row.step())
                        .setTotalSteps(row.totalSteps()).setPercentage(100 * row.progress())
                        .setError(row.error() == null ? "" : row.error()).build();
            });
            boolean idle = first.getStatus() == dev.stackgan.proto.v1.RunStatus.RUN_STATUS_INTERRUPTED
                    && !scheduler.resumesInterruptedRuns();
            watch.send(first);
            if (idle) {
                watch.end();
            }
        } catch (Exception e) {
            unwatch.run();
            watch.fail(e);
            return () -> { };
        }
        if (watch.ended.get()) {
            unwatch.run();
        }
        return unwatch;
    }

    /** One watch: messages in order, nothing after the end. */
    private static final class Watch {
        private final ProgressSink sink;
        private final AtomicBoolean ended = new AtomicBoolean();

        Watch(ProgressSink sink) {
            this.sink = sink;
        }

        synchronized void send(RunProgress progress) {
            if (ended.get() || sink.isCancelled()) {
                return;
            }
            sink.next(progress);
            if (RunStatus.of(progress.getStatus()).isFinal()) {
                end();
            }
        }

        synchronized void end() {
            if (ended.compareAndSet(false, true)) {
                sink.completed();
            }
        }

        synchronized void fail(Exception e) {
            if (ended.compareAndSet(false, true)) {
                sink.failed(e);
            }
        }
    }
}
