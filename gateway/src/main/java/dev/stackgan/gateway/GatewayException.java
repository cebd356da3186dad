package dev.stackgan.gateway;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A request the gateway refuses or could not complete: a gRPC status code, a message naming the field, limit or
 * service, and the request field at fault (null when no single field is). gRPC and HTTP both render it.
 */
public final class GatewayException extends RuntimeException {

    private final Status.Code code;
    private final String field;

    public GatewayException(Status.Code code, String field, String message) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public static GatewayException invalid(String field, String message) {
        return new GatewayException(Status.Code.INVALID_ARGUMENT, field, message);
    }

    /** The serving runtime's shared checks throw gRPC statuses; keep their message and name the field. */
    public static GatewayException of(String field, StatusRuntimeException e) {
        return new GatewayException(e.getStatus().getCode(), field, e.getStatus().getDescription());
    }

    public Status.Code code() {
        return code;
    }

    public String field() {
        return field;
    }

    /** The status with the field at fault in the {@code stackgan-field} trailer (absent when none is). */
    public StatusRuntimeException toStatus() {
        Metadata trailers = new Metadata();
        if (field != null) {
            trailers.put(GatewayMetrics.FIELD, field);
        }
        return Status.fromCode(code).withDescription(getMessage()).asRuntimeException(trailers);
    }
}
