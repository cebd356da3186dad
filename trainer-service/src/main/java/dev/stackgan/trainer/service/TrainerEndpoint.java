package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.CreateRunRequest;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.GetRunRequest;
import dev.stackgan.proto.v1.ImportCheckpointRequest;
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
import dev.stackgan.security.AccessRefusedException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * stackgan.v1.TrainerService: each call is a {@link TrainerCalls} call (which the dashboard's HTTP API makes too),
 * its refusals answered as gRPC statuses.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class TrainerEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerEndpoint.class);
    private static final int MAX_DESCRIPTION = 1024;

    private final TrainerCalls calls;

    public TrainerEndpoint(TrainerCalls calls) {
        this.calls = calls;
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

    /**
     * The status of a refusal or failure of a {@link TrainerCalls} call; the HTTP API maps the same codes. The
     * description is cut to {@value #MAX_DESCRIPTION} characters: whatever a message repeats of its input, it never
     * overflows a gRPC trailer.
     */
    public static Status status(Exception e) {
        Status status = uncut(e);
        String description = status.getDescription();
        return description == null || description.length() <= MAX_DESCRIPTION ? status
                : status.withDescription(description.substring(0, MAX_DESCRIPTION) + "...");
    }

    private static Status uncut(Exception e) {
        if (e instanceof AccessRefusedException refused) {
            return refused.refusal().status();
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof NotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        }
        if (e instanceof Journal.FullException) {
            return Status.UNAVAILABLE.withDescription(e.getMessage());
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
                throw new InvalidFieldException("spec", "spec is required: the run to create");
            }
            return calls.create(request.getSpec());
        });
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> calls.get(request.getRunId()));
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> observer) {
        answer(observer, () -> calls.list(request));
    }

    @Override
    public void watchRun(WatchRunRequest request, StreamObserver<RunProgress> observer) {
        ServerCallStreamObserver<RunProgress> stream = (ServerCallStreamObserver<RunProgress>) observer;
        stream.setOnCancelHandler(calls.watch(request.getRunId(), new TrainerCalls.ProgressSink() {
            @Override
            public void next(RunProgress progress) {
                stream.onNext(progress);
            }

            @Override
            public void completed() {
                stream.onCompleted();
            }

            @Override
            public void failed(Exception e) {
                stream.onError(status(e).asRuntimeException());
            }

            @Override
            public boolean isCancelled() {
                return stream.isCancelled();
            }
        }));
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> calls.cancel(request.getRunId()));
    }

    @Override
    public void resumeRun(ResumeRunRequest request, StreamObserver<Run> observer) {
        answer(observer, () -> calls.resume(request.getRunId()));
    }

    @Override
    public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> observer) {
        answer(observer, () -> calls.checkpoints(request.getRunId()));
    }

    @Override
    public void importCheckpoint(ImportCheckpointRequest request, StreamObserver<Checkpoint> observer) {
        answer(observer, () -> calls.importCheckpoint(request.getPath(), request.getName()));
    }

    @Override
    public void exportBundle(ExportBundleRequest request, StreamObserver<Bundle> observer) {
        answer(observer, () -> calls.export(request.getCheckpointIdsList(), request.getBundleId()));
    }

    @Override
    public void promoteBundle(PromoteBundleRequest request, StreamObserver<Bundle> observer) {
        answer(observer, () -> calls.promote(request.getBundleId()));
    }

    @Override
    public void listBundles(ListBundlesRequest request, StreamObserver<ListBundlesResponse> observer) {
        answer(observer, calls::bundles);
    }
}
