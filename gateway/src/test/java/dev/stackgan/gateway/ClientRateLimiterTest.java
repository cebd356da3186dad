package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets on a clock the test moves: burst, refill, Retry-After, one bucket per client, the sweep. */
class ClientRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private static final String CLIENT = "10.0.0.1";

    private final AtomicLong clock = new AtomicLong(42 * SECOND);

    private ClientRateLimiter limiter(double perSecond, int burst) {
        RateLimitConfiguration config = new RateLimitConfiguration();
        config.setEnabled(true);
        config.setRequestsPerSecond(perSecond);
        config.setBurst(burst);
        return new ClientRateLimiter(config, clock::get);
    }

    @Test
    void aBurstIsAdmittedThenTheSustainedRate() {
        ClientRateLimiter limiter = limiter(2, 3);
        assertAdmittedThenRefused(limiter, 3, 1);
        clock.addAndGet(SECOND / 2);
        assertAdmittedThenRefused(limiter, 1, 1);
        // a long idle time refills the bucket only up to the burst
        clock.addAndGet(3600 * SECOND);
        assertAdmittedThenRefused(limiter, 3, 1);
    }

    @Test
    void retryAfterIsTheWholeSecondsToTheNextToken() {
        ClientRateLimiter limiter = limiter(0.1, 1);
        assertAdmittedThenRefused(limiter, 1, 10);
        clock.addAndGet(SECOND * 7 / 2);
        assertEquals(7, limiter.acquire(CLIENT), "6.5 s left");
        clock.addAndGet(SECOND * 13 / 2);
        assertEquals(0, limiter.acquire(CLIENT));
    }

    /** {@code admitted} requests of {@link #CLIENT} pass, the next is told to retry after {@code retryAfter} s. */
    private static void assertAdmittedThenRefused(ClientRateLimiter limiter, int admitted, long retryAfter) {
        for (int i = 0; i < admitted; i++) {
            assertEquals(0, limiter.acquire(CLIENT), "request " + i + " has a token");
        }
        assertEquals(retryAfter, limiter.acquire(CLIENT), "Retry-After rounds the wait up to whole seconds");
    }

    @Test
    void eachClientHasItsOwnBucket() {
        ClientRateLimiter limiter = limiter(1, 1);
        assertAdmittedThenRefused(limiter, 1, 1);
        assertEquals(0, limiter.acquire("10.0.0.2"), "another client is not refused for the first one's traffic");
    }

    @Test
    void refilledBucketsAreDroppedWhenThereAreManyClients() {
        ClientRateLimiter limiter = limiter(1, 1);
        for (int i = 0; i <= ClientRateLimiter.SWEEP_ABOVE; i++) {
            limiter.acquire("client-" + i);
        }
        assertEquals(ClientRateLimiter.SWEEP_ABOVE + 1, limiter.clients());
        clock.addAndGet(SECOND);
        assertEquals(0, limiter.acquire("new"));
        assertEquals(1, limiter.clients(), "every refilled bucket went; the new client's remains");
    }

    @Test
    void theRefusalIsResourceExhaustedNamingTheLimitAndTheWait() {
        GatewayException refusal = limiter(2, 3).refusal(4);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refusal.code());
        assertEquals("this client is over the gateway's rate limit of 2.0 requests per second with bursts of 3 "
                + "(stackgan.gateway.rate-limit); retry after 4 s", refusal.getMessage());
    }

    @Test
    void anEnabledLimitNeedsARateAndABurst() {
        assertThrows(IllegalArgumentException.class, () -> limiter(0, 3));
        assertThrows(IllegalArgumentException.class, () -> limiter(1, 0));
    }
}
