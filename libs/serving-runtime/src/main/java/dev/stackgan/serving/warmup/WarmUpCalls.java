package dev.stackgan.serving.warmup;

import dev.stackgan.serving.requests.RequestIds;
import io.grpc.Metadata;
import io.micronaut.http.HttpHeaders;
import java.util.UUID;

/**
 * The mark of the calls a service sends itself while it warms up: a header holding a secret made at start, which no
 * other process knows, so a client cannot hide its own calls from the request metrics by sending the header. Marked
 * calls are counted as warm-up requests, not in the request totals. Their access lines are INFO, as users' calls' are,
 * with the request id {@value #REQUEST_ID} (or, for HTTP calls sent without one as most users send them, the id the
 * gateway makes): writing that line is part of every request's path, and a warm-up that logged at DEBUG left the JIT
 * to compile it during the first users' requests (the slowest of the first 20 after ready 3.5x the warm median,
 * against 1.7-2.0x; docs/operations.md).
 */
public final class WarmUpCalls {

    /** The mark's name: a gRPC metadata key, and an HTTP header where the gateway warms up its HTTP API. */
    public static final String HEADER = "stackgan-warm-up";
    private static final Metadata.Key<String> MARK = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final String SECRET = UUID.randomUUID().toString();
    /** The request id of the warm-up calls that send one, which their log lines carry. */
    public static final String REQUEST_ID = "warm-up";

    private WarmUpCalls() {
    }

    /** The headers of a warm-up call: the mark and the request id. */
    public static Metadata headers() {
        Metadata headers = new Metadata();
        headers.put(MARK, SECRET);
        headers.put(RequestIds.METADATA, REQUEST_ID);
        return headers;
    }

    /** The mark's value, for the HTTP header {@value #HEADER}. */
    public static String mark() {
        return SECRET;
    }

    public static boolean marked(Metadata headers) {
        return SECRET.equals(headers.get(MARK));
    }

    /** Whether an HTTP request's headers mark it as a warm-up call. */
    public static boolean marked(HttpHeaders headers) {
        return SECRET.equals(headers.get(HEADER));
    }
}
