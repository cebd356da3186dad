package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.CreateRunRequest;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.GetRunRequest;
import dev.stackgan.proto.v1.ListBundlesRequest;
import dev.stackgan.proto.v1.ListBundlesResponse;
import dev.stackgan.proto.v1.ListCheckpointsRequest;
import dev.stackgan.proto.v1.ListCheckpointsResponse;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.ListRunsResponse;
import dev.stackgan.proto.v1.PromoteBundleRequest;
import dev.stackgan.proto.v1.ResumeRunRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.TrainerServiceGrpc;
import dev.stackgan.proto.v1.WatchRunRequest;
import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** stackgan.v1.TrainerService over the run queue, the database and the bundle store. */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class TrainerEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerEndpoint.class);
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final RunSubmissions submissions;
    private final RunScheduler scheduler;
    private final RunRepository runs;
    private final CheckpointRepository checkpoints;
    private final Bundles bundles;
    private final LiveRuns live;

    public TrainerEndpoint(RunSubmissions submissions, RunScheduler scheduler, RunRepository runs,
                           CheckpointRepository checkpoints, Bundles bundles, LiveRuns live) {
        this.submissions = submissions;
        this.scheduler = scheduler;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.bundles = bundles;
        this.live = live;
    }

    /** One call's work; anything it throws becomes a status with a message, never a stack trace. */
    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> void answer(StreamObserver<T> observer, Call<T> call) {
        T response;
        try {
            response = call.run();
        } catch (Exception e) {
            observer.onError(status(e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    static Status status(Exception e) {
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof NotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        }
        if (databaseUnreachable(e)) {
            return Status.UNAVAILABLE.withDescription("the database is unreachable: " + Journal.rootMessage(e));
        }
        LOG.error("trainer call failed", e);
        return Status.INTERNAL.withDescription(e.toString());
    }

    private static boolean databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void createRun(CreateRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> {
            if (!request.hasSpec()) {
                throw new IllegalArgumentException("spec is required: the run to create");
            }
            RunSubmissions.Submission s = submissions.check(Protos.spec(request.getSpec()));
            RunRow row = runs.save(new RunRow(null, s.resolved().name(), s.resolved().kind().id(),
                    RunStatus.QUEUED.name(), s.specJson(), s.resolved().dataset(), s.parentCheckpointId(),
                    Instant.now(), null, null, null, 0, 0, s.totalSteps()));
            scheduler.enqueue(row.id());
            return run(row);
        });
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> run(find(request.getRunId())));
    }

    private RunRow find(long runId) {
        return runs.findById(runId).orElseThrow(() -> new NotFoundException("no run with id " + runId));
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

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> observer) {
        answer(observer, () -> {
            int size = request.getPageSize();
            if (size < 0 || size > MAX_PAGE) {
                throw new IllegalArgumentException("page_size must be 0 to " + MAX_PAGE + ", got " + size);
            }
            int limit = size == 0 ? DEFAULT_PAGE : size;
            long before;
            try {
                before = request.getPageToken().isEmpty() ? Long.MAX_VALUE : Long.parseLong(request.getPageToken());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("page_token '" + request.getPageToken() + "' is not one this"
                        + " service returned");
            }
            List<String> statuses = request.getStatusList().isEmpty()
                    ? Arrays.stream(RunStatus.values()).map(Enum::name).toList()
                    : request.getStatusList().stream().map(s -> RunStatus.of(s).name()).toList();
            String kind = Protos.word("kind", request.getKind());
            List<RunRow> page = runs.page(statuses, kind == null ? "" : kind, before, limit + 1);
            ListRunsResponse.Builder response = ListRunsResponse.newBuilder();
            Function<String, Long> checkpointIds = checkpointIds();
            page.stream().limit(limit).forEach(r -> response.addRuns(Protos.run(r, checkpointIds)));
            if (page.size() > limit) {
                response.setNextPageToken(Long.toString(page.get(limit - 1).id()));
            }
            return response.build();
        });
    }

    @Override
    public void watchRun(WatchRunRequest request, StreamObserver<RunProgress> observer) {
        ServerCallStreamObserver<RunProgress> stream = (ServerCallStreamObserver<RunProgress>) observer;
        AtomicBoolean ended = new AtomicBoolean();
        long runId = request.getRunId();
        Runnable unwatch = live.watch(runId, progress -> send(stream, progress, ended));
        stream.setOnCancelHandler(unwatch);
        try {
            RunProgress first = live.latest(runId).orElseGet(() -> {
                RunRow row = find(runId);
                return RunScheduler.progress(runId, RunStatus.valueOf(row.status())).setStep(row.step())
                        .setTotalSteps(row.totalSteps()).setPercentage(100 * row.progress())
                        .setError(row.error() == null ? "" : row.error()).build();
            });
            boolean idle = first.getStatus() == dev.stackgan.proto.v1.RunStatus.RUN_STATUS_INTERRUPTED
                    && !scheduler.isQueuedOrRunning(runId);
            send(stream, first, ended);
            if (idle) {
                end(stream, ended);
            }
        } catch (Exception e) {
            unwatch.run();
            if (ended.compareAndSet(false, true)) {
                stream.onError(status(e).asRuntimeException());
            }
            return;
        }
        if (ended.get()) {
            unwatch.run();
        }
    }

    private static void send(ServerCallStreamObserver<RunProgress> stream, RunProgress progress, AtomicBoolean ended) {
        synchronized (stream) {
            if (ended.get() || stream.isCancelled()) {
                return;
            }
            stream.onNext(progress);
            if (RunStatus.of(progress.getStatus()).isFinal()) {
                end(stream, ended);
            }
        }
    }

    private static void end(ServerCallStreamObserver<RunProgress> stream, AtomicBoolean ended) {
        synchronized (stream) {
            if (ended.compareAndSet(false, true)) {
                stream.onCompleted();
            }
        }
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> run(scheduler.cancel(request.getRunId())));
    }

    @Override
    public void resumeRun(ResumeRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> run(scheduler.resume(request.getRunId())));
    }

    @Override
    public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> observer) {
        answer(observer, () -> {
            find(request.getRunId());
            ListCheckpointsResponse.Builder response = ListCheckpointsResponse.newBuilder();
            checkpoints.findByRunIdOrderByStep(request.getRunId())
                    .forEach(c -> response.addCheckpoints(Protos.checkpoint(c)));
            return response.build();
        });
    }

    @Override
    public void exportBundle(ExportBundleRequest request, StreamObserver<Bundle> observer) {
        answer(observer, () -> bundle(bundles.export(request.getCheckpointIdsList(), request.getBundleId())));
    }

    @Override
    public void promoteBundle(PromoteBundleRequest request, StreamObserver<Bundle> observer) {
        answer(observer, () -> bundle(bundles.promote(request.getBundleId())));
    }

    @Override
    public void listBundles(ListBundlesRequest request, StreamObserver<ListBundlesResponse> observer) {
        answer(observer, () -> {
            ListBundlesResponse.Builder response = ListBundlesResponse.newBuilder();
            bundles.list().forEach(b -> response.addBundles(bundle(b)));
            return response.build();
        });
    }

    private Bundle bundle(BundleRow row) {
        return Protos.bundle(row, bundles.sources(row.bundleId()));
    }
}
