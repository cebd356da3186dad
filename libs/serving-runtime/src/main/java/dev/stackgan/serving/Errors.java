package dev.stackgan.serving;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The gRPC errors the services answer with; messages name the field and the limit. */
public final class Errors {

    private Errors() {
    }

    public static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException resourceExhausted(String message) {
        return Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException deadlineExceeded(String message) {
        return Status.DEADLINE_EXCEEDED.withDescription(message).asRuntimeException();
    }
}
