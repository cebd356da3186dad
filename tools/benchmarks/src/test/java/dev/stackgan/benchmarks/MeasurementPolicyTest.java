package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackgan.benchmarks.MeasurementPolicy.Measurement;
import dev.stackgan.benchmarks.MeasurementPolicy.WarmUp;
import dev.stackgan.benchmarks.MeasurementPolicy.Window;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasurementPolicyTest {

    /** 10 % tolerances, warm-up limit 10 s, at most 5 measurement windows. */
    private final MeasurementPolicy policy = new MeasurementPolicy(0.10, 10, 0.10, 5);

    /** Feeds one-second warm-up windows until the policy decides; returns the decision and the windows it took. */
    private record Decided(WarmUp decision, int windows) {
    }

    private Decided warmUp(double... p50Ms) {
        List<Double> seen = new ArrayList<>();
        for (double p50 : p50Ms) {
            seen.add(p50);
            WarmUp decision = policy.warmUp(seen, seen.size());
            if (decision != WarmUp.CONTINUE) {
                return new Decided(decision, seen.size());
            }
        }
        return new Decided(WarmUp.CONTINUE, seen.size());
    }

    @Test
    void warmUpIsStableOnceTwoConsecutiveWindowsAgree() {
        // a JIT-style decay: 80, 40, 22, 20.5 -> 22 vs 20.5 differ by 7 %, stable at the 4th window
        assertEquals(new Decided(WarmUp.STABLE, 4), warmUp(80, 40, 22, 20.5, 20, 20));
    }

    @Test
    void warmUpOfAnAlreadyWarmServiceTakesTwoWindows() {
        assertEquals(new Decided(WarmUp.STABLE, 2), warmUp(20, 21));
    }

    @Test
    void aDifferenceOfExactlyTheToleranceIsNotStable() {
        // 20 -> 22 is 10 %: "less than" the tolerance is required
        assertEquals(new Decided(WarmUp.CONTINUE, 2), warmUp(20, 22));
    }

    @Test
    void warmUpThatNeverSettlesIsFlaggedAtTheTimeLimit() {
        // alternating 20 / 30 ms never agrees: the 10 s limit ends it after the 10th one-second window
        assertEquals(new Decided(WarmUp.NOT_STABLE, 10),
                warmUp(20, 30, 20, 30, 20, 30, 20, 30, 20, 30, 20, 30));
    }

    @Test
    void oneWindowIsNeverStableEvenAtTheLimit() {
        assertEquals(WarmUp.NOT_STABLE, policy.warmUp(List.of(20.0), 11));
        assertEquals(WarmUp.CONTINUE, policy.warmUp(List.of(20.0), 1));
    }

    @Test
    void measurementStopsAtTheFirstAgreeingPair() {
        List<Window> windows = new ArrayList<>(List.of(new Window(20, 50)));
        assertEquals(Measurement.CONTINUE, policy.measurement(windows));
        windows.add(new Window(25, 40)); // p50 25 % apart
        assertEquals(Measurement.CONTINUE, policy.measurement(windows));
        windows.add(new Window(26, 39)); // both within 10 % of the previous window
        assertEquals(Measurement.AGREED, policy.measurement(windows));
    }

    @Test
    void bothThroughputAndP50MustAgree() {
        // same p50, throughput 20 % apart (a stall between requests): not agreed
        assertEquals(Measurement.CONTINUE, policy.measurement(List.of(new Window(20, 50), new Window(20, 60))));
        // same throughput, p50 20 % apart: not agreed either
        assertEquals(Measurement.CONTINUE, policy.measurement(List.of(new Window(20, 50), new Window(24, 50))));
        // exactly 10 % apart on both: agreed ("within")
        assertEquals(Measurement.AGREED, policy.measurement(List.of(new Window(20, 50), new Window(22, 55))));
    }

    @Test
    void measurementThatNeverAgreesIsFlaggedAfterMaxWindows() {
        List<Window> windows = new ArrayList<>();
        Measurement decision = Measurement.CONTINUE;
        for (int i = 0; i < 20 && decision == Measurement.CONTINUE; i++) {
            // throughput swings 50 / 70 from window to window
            windows.add(new Window(20, i % 2 == 0 ? 50 : 70));
            decision = policy.measurement(windows);
        }
        assertEquals(Measurement.NEVER_AGREED, decision);
        assertEquals(5, windows.size());
    }

    @Test
    void agreementOnTheLastAllowedWindowCountsAsAgreed() {
        List<Window> windows = List.of(new Window(20, 50), new Window(30, 50), new Window(20, 50),
                new Window(30, 50), new Window(31, 50));
        assertEquals(Measurement.AGREED, policy.measurement(windows));
    }

    @Test
    void differenceIsSymmetricAndRelativeToTheSmaller() {
        assertEquals(0.5, MeasurementPolicy.differsBy(20, 30), 1e-12);
        assertEquals(0.5, MeasurementPolicy.differsBy(30, 20), 1e-12);
    }

    @Test
    void rejectsAMeasurementOfFewerThanTwoWindows() {
        assertThrows(IllegalArgumentException.class, () -> new MeasurementPolicy(0.10, 10, 0.10, 1));
    }
}
