package dev.stackgan.serving.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The warm-up loop and its settling rule on requests whose latency the test controls. */
class WarmUpTest {

    /** A JVM whose JIT never compiles: only latency decides. */
    private static final LongSupplier NO_JIT = () -> 0;

    @Test
    void latencySettlesWhenTheLastWindowsMedianIsWithinToleranceOfTheOneBefore() {
        LatencySettling settling = new LatencySettling(3, 0.1);
        long[] latencies = {100, 90, 80, 50, 50, 50, 52, 49};
        // windows of 3: fewer than two (5 times), medians 90 -> 50, 80 -> 50, then 50 -> 50
        boolean[] settled = {false, false, false, false, false, false, false, true};
        for (int i = 0; i < latencies.length; i++) {
            settling.add(latencies[i]);
            assertEquals(settled[i], settling.settled(), "after " + (i + 1) + " latencies");
        }
        assertEquals(50, settling.recentMedian());
    }

    @Test
    void oneSlowRequestNeitherSettlesNorUnsettles() {
        LatencySettling settling = new LatencySettling(3, 0.1);
        for (long nanos : new long[] {50, 51, 49, 50, 5000, 49}) {
            settling.add(nanos);
        }
        assertTrue(settling.settled(), "medians 50 and 50; the 5000 is one of three");
        assertEquals(50, settling.recentMedian());
    }

    @Test
    void recentMedianCoversEveryLatencyWhileThereAreFewerThanAWindow() {
        LatencySettling settling = new LatencySettling(20, 0.1);
        assertEquals(0, settling.recentMedian());
        settling.add(7);
        settling.add(9);
        settling.add(8);
        assertEquals(8, settling.recentMedian());
    }

    @Test
    void steadyRequestsSettleAfterTwoWindows() {
        AtomicInteger answered = new AtomicInteger();
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofSeconds(60), 5, 1.0, 0.05, 0), NO_JIT,
                deadline -> sleep(5), answered::incrementAndGet);
        assertEquals(WarmUp.Outcome.SETTLED, result.outcome());
        assertEquals(10, result.requests());
        assertEquals(10, answered.get());
        assertTrue(result.p50Nanos() >= 5_000_000, "p50 " + result.p50Nanos() + " ns of 5 ms sleeps");
        assertEquals(0, result.compileShare());
        assertNull(result.failure());
    }

    @Test
    void aBusyJitKeepsTheWarmUpGoingUntilItGoesQuietThoughLatencySettledEarlier() {
        // the JIT compiles 4 ms per 5 ms request for the first 12 requests, then nothing
        AtomicInteger sent = new AtomicInteger();
        AtomicLong compiled = new AtomicLong();
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofSeconds(60), 5, 1.0, 0.05, 0), compiled::get,
                deadline -> {
                    sleep(5);
                    if (sent.incrementAndGet() <= 12) {
                        compiled.addAndGet(4);
                    }
                }, () -> { });
        // latency settled after 10; the first window without compilation is requests 13 to 17
        assertEquals(WarmUp.Outcome.SETTLED, result.outcome());
        assertEquals(17, result.requests());
        assertEquals(0, result.compileShare());
    }

    @Test
    void aJitThatNeverQuietsRunsToTheTimeLimitAndReportsItsShare() {
        AtomicLong compiled = new AtomicLong();
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofMillis(400), 5, 1.0, 0.05, 0), compiled::get,
                deadline -> {
                    sleep(5);
                    compiled.addAndGet(5);
                }, () -> { });
        assertEquals(WarmUp.Outcome.TIME_LIMIT, result.outcome());
        assertTrue(result.compileShare() > 0.5 && result.compileShare() <= 1.0, "share " + result.compileShare());
    }

    @Test
    void theTimeLimitEndsAWarmUpThatNeverSettlesAndIsEveryRequestsDeadline() {
        long start = System.nanoTime();
        WarmUp.Settings neverSettling = new WarmUp.Settings(Duration.ofMillis(500), 1_000_000, 0.1, 0.05, 0);
        WarmUp.Result result = WarmUp.run(neverSettling, deadline -> {
            assertTrue(deadline.timeRemaining(TimeUnit.MILLISECONDS) <= 500, deadline.toString());
            sleep(10);
        }, () -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(WarmUp.Outcome.TIME_LIMIT, result.outcome());
        assertTrue(result.requests() > 0);
        assertTrue(seconds >= 0.5 && seconds < 5, "ran " + seconds + " s with a 0.5 s limit");
    }

    @Test
    void aRequestCutOffByTheTimeLimitsDeadlineIsTheLimitNotAFailure() {
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofMillis(300), 20, 0.1, 0.05, 0), deadline -> {
            sleep(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 1);
            throw Status.DEADLINE_EXCEEDED.asRuntimeException();
        }, () -> { });
        assertEquals(WarmUp.Outcome.TIME_LIMIT, result.outcome());
        assertEquals(0, result.requests());
        assertNull(result.failure());
    }

    @Test
    void aFailedRequestEndsTheWarmUpWithItsError() {
        RuntimeException refused = Status.RESOURCE_EXHAUSTED.asRuntimeException();
        AtomicInteger sent = new AtomicInteger();
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofSeconds(60), 20, 0.1, 0.05, 0), deadline -> {
            if (sent.incrementAndGet() == 3) {
                throw refused;
            }
        }, () -> { });
        assertEquals(WarmUp.Outcome.FAILED, result.outcome());
        assertEquals(2, result.requests());
        assertSame(refused, result.failure());
    }

    @Test
    void settledLatencyAndAQuietJitWaitForTheMinimumOfRequests() {
        WarmUp.Result result = WarmUp.run(new WarmUp.Settings(Duration.ofSeconds(60), 5, 1.0, 0.05, 23), NO_JIT,
                deadline -> sleep(1), () -> { });
        // settled from the 10th request on; the 23rd is the first the minimum allows
        assertEquals(WarmUp.Outcome.SETTLED, result.outcome());
        assertEquals(23, result.requests());
    }

    @Test
    void aNegativeMinimumOfRequestsIsRefusedWithTheSettingsName() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new WarmUp.Settings(Duration.ofSeconds(1), 20, 0.1, 0.05, -1));
        assertTrue(refused.getMessage().contains("stackgan.serving.warm-up.min-requests must be >= 0, got -1"),
                refused.getMessage());
    }

    @Test
    void aNegativeOrMissingCompileShareIsRefusedWithTheSettingsName() {
        for (double share : new double[] {-0.01, Double.NaN}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new WarmUp.Settings(Duration.ofSeconds(1), 20, 0.1, share, 0));
            assertTrue(refused.getMessage().contains("stackgan.serving.warm-up.compile-share must be >= 0"),
                    refused.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
