package dev.stackgan.serving.requests;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code x-request-id} rule (docs/operations.md): an id a client sends is kept if it is 1 to {@link #MAX_LENGTH}
 * letters, digits and {@code - _ . : / + =} (UUIDs, hex, ULIDs and base64 ids pass); without one the first service
 * to see the request makes one. A bad id is refused, not replaced: a client that names its requests wants to find them
 * by that name, and a silent replacement would make its search come up empty without telling it why. The rule also
 * keeps ids safe to write into headers, trailers and log lines.
 */
public final class RequestIds {

    /** The HTTP header and gRPC metadata key, lower case as gRPC requires. */
    public static final String HEADER = "x-request-id";
    public static final int MAX_LENGTH = 128;
    static final String RULE = HEADER + " must be 1 to " + MAX_LENGTH
            + " characters, each a letter, a digit or one of - _ . : / + =";

    public static final Metadata.Key<String> METADATA = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** The id of the request the current gRPC context works on; outgoing calls carry it on. */
    static final Context.Key<String> CONTEXT = Context.key(HEADER);

    private RequestIds() {
    }

    /**
     * A new id for a request that came without one: a random (version 4) UUID. Drawn from the thread's own generator,
     * not SecureRandom as {@link UUID#randomUUID()} is: an id names a request and guards nothing, and the warm-up's
     * calls, which carry their own id, never ran SecureRandom's code, so the JIT compiled it under the first users.
     */
    public static String create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long version4 = random.nextLong() & ~0xf000L | 0x4000L;
        long variant = random.nextLong() & ~(0xcL << 60) | 0x8L << 60;
        return new UUID(version4, variant).toString();
    }

    /** Why {@code id} breaks the rule, or null if it keeps it. The message never repeats the id. */
    public static String problem(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return RULE + "; it has " + id.length();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 128 || !(Character.isLetterOrDigit(c) || "-_.:/+=".indexOf(c) >= 0)) {
                return RULE + "; character " + (i + 1) + " is not";
            }
        }
        return null;
    }

    /** The id of the request this thread works on (in the gRPC context), or null outside one. */
    public static String current() {
        return CONTEXT.get();
    }
}
