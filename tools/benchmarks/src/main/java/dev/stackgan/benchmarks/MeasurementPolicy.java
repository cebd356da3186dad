package dev.stackgan.benchmarks;

import java.util.List;

/**
 * When to stop warming up and when to stop measuring, in the manner of Triton's perf_analyzer: the caller runs
 * fixed-duration windows of requests and asks after each one. Pure logic, so the decisions can be tested on
 * synthetic series.
 *
 * <p>Warm-up lasts until the p50 of two consecutive windows differs by less than {@code warmUpTolerance} (latency is
 * stable), or until {@code warmUpLimitSeconds} have passed (reported as not stable). Measurement then repeats windows
 * until two consecutive ones agree within {@code agreement} on both throughput and p50, at most {@code maxWindows};
 * the figure is taken from the last two windows, which are the agreeing pair when there is one.
 *
 * @param warmUpTolerance    relative p50 difference under which two warm-up windows count as stable, e.g. 0.10
 * @param warmUpLimitSeconds warm-up time after which measuring starts anyway
 * @param agreement          relative difference within which two measurement windows agree, e.g. 0.10
 * @param maxWindows         measurement windows after which measuring stops without agreement (at least 2)
 */
public record MeasurementPolicy(double warmUpTolerance, double warmUpLimitSeconds, double agreement,
                                int maxWindows) {

    /** One window's figures: its median latency and its throughput. */
    public record Window(double p50Ms, double requestsPerSecond) {
    }

    /** Where a warm-up stands after its latest window. */
    public enum WarmUp {
        /** Not stable yet, time left: run another window. */
        CONTINUE,
        /** The last two windows' p50 agree. */
        STABLE,
        /** The time limit passed before two windows agreed. */
        NOT_STABLE
    }

    /** Where a measurement stands after its latest window. */
    public enum Measurement {
        /** No agreeing pair yet, windows left: run another. */
        CONTINUE,
        /** The last two windows agree on throughput and p50. */
        AGREED,
        /** {@code maxWindows} were run and no two consecutive ones agreed. */
        NEVER_AGREED
    }

    public MeasurementPolicy {
        if (maxWindows < 2 || warmUpTolerance <= 0 || agreement <= 0 || warmUpLimitSeconds <= 0) {
            throw new IllegalArgumentException("a measurement needs at least two windows and positive tolerances");
        }
    }

    /** {@code p50Ms}: the warm-up windows so far, oldest first; {@code elapsedSeconds}: warm-up time so far. */
    public WarmUp warmUp(List<Double> p50Ms, double elapsedSeconds) {
        int n = p50Ms.size();
        if (n >= 2 && differsBy(p50Ms.get(n - 2), p50Ms.get(n - 1)) < warmUpTolerance) {
            return WarmUp.STABLE;
        }
        return elapsedSeconds >= warmUpLimitSeconds ? WarmUp.NOT_STABLE : WarmUp.CONTINUE;
    }

    /** {@code windows}: the measurement windows so far, oldest first. */
    public Measurement measurement(List<Window> windows) {
        int n = windows.size();
        if (n >= 2 && agree(windows.get(n - 2), windows.get(n - 1))) {
            return Measurement.AGREED;
        }
        return n >= maxWindows ? Measurement.NEVER_AGREED : Measurement.CONTINUE;
    }

    private boolean agree(Window a, Window b) {
        return differsBy(a.p50Ms(), b.p50Ms()) <= agreement
                && differsBy(a.requestsPerSecond(), b.requestsPerSecond()) <= agreement;
    }

    /** How much the larger of two positive figures exceeds the smaller, relative to the smaller (symmetric). */
    static double differsBy(double a, double b) {
        return Math.abs(a - b) / Math.min(a, b);
    }
}
