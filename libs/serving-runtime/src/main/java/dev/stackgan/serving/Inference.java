package dev.stackgan.serving;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path every model service shares: lease the requested bundle version, let the service validate the
 * request against that version's dimensions and build the graph inputs, queue them in the batcher honouring the
 * call's deadline, and turn the outputs (or the error) into the gRPC answer. Errors carry a status and a message;
 * stack traces stay in the log.
 */
public final class Inference {

    private static final Logger LOG = LoggerFactory.getLogger(Inference.class);

    private final ModelRepository repository;
    private final DynamicBatcher batcher;

    public Inference(ModelRepository repository, DynamicBatcher batcher) {
        this.repository = repository;
        this.batcher = batcher;
    }

    /** Graph inputs of one request and how to build its response from its slice of the outputs. */
    public record Prepared<T>(Map<String, InputRows> inputs, Function<Map<String, float[]>, T> respond) {
    }

    public int maxBatchSize() {
        return batcher.policy().maxBatchSize();
    }

    /**
     * Answers {@code observer} with the result of the graph on the inputs {@code prepare} builds for the leased
     * version ({@code version} null: the current one; else a bundle id, INVALID_ARGUMENT otherwise). {@code prepare}
     * throws INVALID_ARGUMENT for bad requests.
     */
    public <T> void call(String version, Function<LoadedModel, Prepared<T>> prepare, StreamObserver<T> observer) {
        ModelLease lease;
        try {
            if (version != null) {
                ModelVersions.requireValid("model_version", version);
            }
            lease = repository.lease(version);
        } catch (RuntimeException e) {
            observer.onError(toStatus(e));
            return;
        }
        answer(submit(lease, prepare), observer);
    }

    /** Answers {@code observer} with the future's value, or with its failure as a status ({@link #toStatus}). */
    public static <T> void answer(CompletableFuture<T> response, StreamObserver<T> observer) {
        response.whenComplete((value, error) -> {
            try {
                if (error != null) {
                    observer.onError(toStatus(error));
                } else {
                    observer.onNext(value);
                    observer.onCompleted();
                }
            } catch (RuntimeException e) {
                // onNext on a call the client already cancelled
                LOG.debug("could not answer the call", e);
                observer.onError(toStatus(e));
            }
        });
    }

    /**
     * Queues the inputs {@code prepare} builds for the leased model in the batcher, under the current gRPC
     * context's deadline (none outside a gRPC call), and releases the lease once the run is done. A cancelled
     * context takes the request out of the queue. Never throws: the future fails instead, with a status for
     * {@link #toStatus}.
     */
    public <T> CompletableFuture<T> submit(ModelLease lease, Function<LoadedModel, Prepared<T>> prepare) {
        CompletableFuture<Map<String, float[]>> outputs;
        Prepared<T> prepared;
        try {
            prepared = prepare.apply(lease.model());
            outputs = batcher.submit(lease.model(), prepared.inputs(), Context.current().getDeadline());
        } catch (RuntimeException e) {
            lease.close();
            return CompletableFuture.failedFuture(toStatus(e));
        }
        // A cancelled call leaves the queue instead of running for nobody.
        Context.current().addListener(context -> outputs.cancel(false), Runnable::run);
        return outputs.whenComplete((result, error) -> lease.close()).thenApply(prepared.respond());
    }

    /** The gRPC status of a failed {@link #submit}: its own status, CANCELLED, or INTERNAL (logged). */
    public static StatusRuntimeException toStatus(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription("call cancelled").asRuntimeException();
        }
        LOG.error("request failed", cause);
        return Status.INTERNAL.withDescription(cause.getClass().getSimpleName() + ": " + cause.getMessage())
                .asRuntimeException();
    }
}
