package dev.stackgan.serving;

import io.grpc.Metadata;
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

    /**
     * INVALID_ARGUMENT naming {@code field} and the limit when {@code value} has more than {@code max} characters
     * (Unicode code points): every free-text string a request carries has such a limit.
     */
    public static void requireLength(String field, String value, int max) {
        int characters = value.codePointCount(0, value.length());
        if (characters > max) {
            throw invalidArgument(field + " has " + characters + " characters, at most " + max + " are allowed");
        }
    }

    public static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException unavailable(String message) {
        return Status.UNAVAILABLE.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    /** FAILED_PRECONDITION with trailers that tell the caller how to proceed. */
    public static StatusRuntimeException failedPrecondition(String message, Metadata trailers) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException(trailers);
    }

    public static StatusRuntimeException resourceExhausted(String message) {
        return Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException deadlineExceeded(String message) {
        return Status.DEADLINE_EXCEEDED.withDescription(message).asRuntimeException();
    }

    /**
     * The HTTP status an HTTP API answers for a gRPC code, the same for the gateway's API and the model services'
     * Open Inference Protocol: INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404,
     * FAILED_PRECONDITION 409, RESOURCE_EXHAUSTED 429, UNAVAILABLE and CANCELLED 503, DEADLINE_EXCEEDED 504, anything
     * else 500.
     */
    public static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE, CANCELLED -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }
}
