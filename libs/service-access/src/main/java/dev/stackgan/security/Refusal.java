package dev.stackgan.security;

import io.grpc.Status;

/**
 * Why {@link AccessPolicy} refused a call: UNAUTHENTICATED (no token, or not a bearer token) or PERMISSION_DENIED
 * (a token that is not the one this scope needs), the reason as counted in {@code stackgan_access_refusals_total},
 * and a message for the caller that never repeats what was sent.
 */
public record Refusal(Status.Code code, String reason, String message) {

    /** 401 or 403. */
    public int httpStatus() {
        return code == Status.Code.UNAUTHENTICATED ? 401 : 403;
    }

    public Status status() {
        return Status.fromCode(code).withDescription(message);
    }
}
