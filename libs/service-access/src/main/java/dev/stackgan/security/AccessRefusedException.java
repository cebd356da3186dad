package dev.stackgan.security;

/**
 * An HTTP request {@link AccessFilter} refused; each service's exception handler answers it in that service's JSON
 * error body, with {@link Refusal#httpStatus()} and the gRPC code's name.
 */
public final class AccessRefusedException extends RuntimeException {

    private final Refusal refusal;

    public AccessRefusedException(Refusal refusal) {
        super(refusal.message(), null, false, false);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }
}
