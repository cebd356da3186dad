package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.CreateRunRequest;
import dev.stackgan.proto.v1.GetRunRequest;
import dev.stackgan.proto.v1.ListCheckpointsRequest;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.proto.v1.TrainerServiceGrpc;
import dev.stackgan.proto.v1.WatchRunRequest;
import dev.stackgan.security.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A blocking client of stackgan.v1.TrainerService: what the command line and the tests use. */
public final class TrainerClient implements AutoCloseable {

    private static final long CALL_DEADLINE_SECONDS = 120;
    private final ManagedChannel channel;

    private TrainerClient(ManagedChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to {@code target} (host:port), waiting up to {@code wait} for the trainer to answer; every call
     * carries {@code managementToken} when it is not null (docs/operations.md, "Authentication").
     */
    public static TrainerClient connect(String target, Duration wait, String managementToken)
            throws InterruptedException {
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forTarget(target).usePlaintext();
        if (managementToken != null) {
            builder.intercept(BearerToken.attach(managementToken));
        }
        TrainerClient client = new TrainerClient(builder.build());
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                client.stub().listRuns(ListRunsRequest.newBuilder().setPageSize(1).build());
                return client;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
                    client.close();
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** As {@link #connect(String, Duration, String)}, without a token: for a trainer that has none. */
    public static TrainerClient connect(String target, Duration wait) throws InterruptedException {
        return connect(target, wait, null);
    }

    /**
     * The management token the command line sends: the trainer's own setting read from the environment,
     * STACKGAN_ACCESS_MANAGEMENT_TOKEN or the file STACKGAN_ACCESS_MANAGEMENT_TOKEN_FILE names; null when neither.
     */
    public static String managementToken(Map<String, String> environment) throws IOException {
        String file = environment.get("STACKGAN_ACCESS_MANAGEMENT_TOKEN_FILE");
        if (file != null && !file.isEmpty()) {
            return Files.readString(Path.of(file)).strip();
        }
        String token = environment.get("STACKGAN_ACCESS_MANAGEMENT_TOKEN");
        return token == null || token.isEmpty() ? null : token;
    }

    public TrainerServiceGrpc.TrainerServiceBlockingStub stub() {
        return TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public Run create(RunSpec spec) {
        return stub().createRun(CreateRunRequest.newBuilder().setSpec(spec).build());
    }

    /**
     * Creates a run from a spec file's JSON, converted here ({@link Protos#specFromJson}): a spec the conversion
     * refuses throws IllegalArgumentException and sends nothing.
     */
    public Run create(String specJson) {
        return create(Protos.specFromJson(specJson));
    }

    public Run get(long runId) {
        return stub().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    public List<Checkpoint> checkpoints(long runId) {
        return stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build())
                .getCheckpointsList();
    }

    /** Streams the run's progress into {@code each} until it ends; returns the last message. */
    public RunProgress watch(long runId, Consumer<RunProgress> each) {
        Iterator<RunProgress> stream = TrainerServiceGrpc.newBlockingStub(channel)
                .watchRun(WatchRunRequest.newBuilder().setRunId(runId).build());
        RunProgress last = null;
        while (stream.hasNext()) {
            last = stream.next();
            each.accept(last);
        }
        return last;
    }

    /** Polls until the run is in {@code status}; IllegalStateException naming the status it is in after {@code timeout}. */
    public Run awaitStatus(long runId, RunStatus status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Run run = get(runId);
        while (run.getStatus() != status) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + runId + " is " + run.getStatus() + " (" + run.getError()
                        + "), expected " + status + " within " + timeout);
            }
            Thread.sleep(100);
            run = get(runId);
        }
        return run;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
