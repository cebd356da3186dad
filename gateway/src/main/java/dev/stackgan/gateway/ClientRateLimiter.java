package dev.stackgan.gateway;

import io.grpc.Status;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The gateway's per-client rate limit ({@link RateLimitConfiguration}): one token bucket per client address, shared
 * by the HTTP and gRPC APIs. A small bucket of our own: no rate-limit library is among the project's pinned
 * dependencies, and resilience4j's limiter refills in fixed periods, with no burst apart from the rate.
 */
@Singleton
public class ClientRateLimiter {

    /** Above this many clients, refilled buckets (as good as new) are dropped, so idle clients cost nothing. */
    static final int SWEEP_ABOVE = 10_000;
    private static final long SECOND = 1_000_000_000L;

    private final RateLimitConfiguration config;
    private final LongSupplier nanoTime;
    private final double tokensPerNano;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    /** When the next sweep may run: at most one a second, so that many active clients do not make each call slow. */
    private final AtomicLong nextSweep;

    @Inject
    public ClientRateLimiter(RateLimitConfiguration config) {
        this(config, System::nanoTime);
    }

    /** @param nanoTime the clock, a fake one in tests */
    ClientRateLimiter(RateLimitConfiguration config, LongSupplier nanoTime) {
        if (config.isEnabled() && (!(config.getRequestsPerSecond() > 0) || config.getBurst() < 1)) {
            throw new IllegalArgumentException("stackgan.gateway.rate-limit needs requests-per-second > 0 and "
                    + "burst >= 1, got " + config.getRequestsPerSecond() + " and " + config.getBurst());
        }
        this.config = config;
        this.nanoTime = nanoTime;
        this.tokensPerNano = config.getRequestsPerSecond() / SECOND;
        this.nextSweep = new AtomicLong(nanoTime.getAsLong());
    }

    public boolean enabled() {
        return config.isEnabled();
    }

    /**
     * Takes one token of {@code client}'s bucket: 0 when it had one (the request may run), else the whole seconds
     * (at least 1) until it has one again, for Retry-After.
     */
    public long acquire(String client) {
        long now = nanoTime.getAsLong();
        long sweep = nextSweep.get();
        if (buckets.size() > SWEEP_ABOVE && now - sweep >= 0 && nextSweep.compareAndSet(sweep, now + SECOND)) {
            buckets.values().removeIf(bucket -> bucket.full(now));
        }
        double waitSeconds = buckets.computeIfAbsent(client, key -> new Bucket(now)).take(now);
        // a nanosecond's tolerance: the bucket's floating-point arithmetic must not round a 10 s wait up to 11
        return waitSeconds == 0 ? 0 : Math.max(1, (long) Math.ceil(waitSeconds - 1e-9));
    }

    /** The bucket's key of a client: its IP address without the port, so a client's connections share one. */
    public static String client(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    /** Clients with a bucket now, for the test of the sweep. */
    int clients() {
        return buckets.size();
    }

    /** The refusal of a request over the limit, as both APIs answer it. */
    public GatewayException refusal(long retryAfterSeconds) {
        return new GatewayException(Status.Code.RESOURCE_EXHAUSTED, null, "this client is over the gateway's rate "
                + "limit of " + config.getRequestsPerSecond() + " requests per second with bursts of "
                + config.getBurst() + " (stackgan.gateway.rate-limit); retry after " + retryAfterSeconds + " s");
    }

    private final class Bucket {
        private double tokens = config.getBurst();
        private long updated;

        Bucket(long now) {
            updated = now;
        }

        /** 0 when a token was taken, else the seconds until one is there. */
        synchronized double take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (1 - tokens) / config.getRequestsPerSecond();
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= config.getBurst();
        }

        private void refill(long now) {
            tokens = Math.min(config.getBurst(), tokens + (now - updated) * tokensPerNano);
            updated = now;
        }
    }
}
