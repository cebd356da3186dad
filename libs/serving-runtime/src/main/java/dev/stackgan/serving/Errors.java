package dev.stackgan.serving;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The gRPC errors the services answer with; messages name the field and the limit. */
public final class Errors {

    /** Longest part of a client's value an error message repeats; the longest bundle id fits whole. */
    public static final int MAX_ECHO = 128;

    private Errors() {
    }

    /**
     * {@code value} as an error message may repeat it: at most {@link #MAX_ECHO} characters and the full length.
     * Messages travel in gRPC trailers, which overflow (RST_STREAM, PROTOCOL_ERROR) on values of a few kilobytes.
     */
    public static String excerpt(String value) {
        if (value.length() <= MAX_ECHO) {
            return value;
        }
        // never cut a surrogate pair in half
        int end = Character.isHighSurrogate(value.charAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
        return value.substring(0, end) + "... (" + value.length() + " characters)";
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
