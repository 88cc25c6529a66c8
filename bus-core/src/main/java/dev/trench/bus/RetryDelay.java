package dev.trench.bus;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before a retry, as a function of the retry number (1 for the first retry). Implementations must return a
 * non-negative duration for every retry number up to {@link Integer#MAX_VALUE}; the factories here never overflow:
 * they compute in floating point and clamp to their cap.
 */
@FunctionalInterface
public interface RetryDelay {

    /** The longest delay any factory here produces unless told otherwise: one hour. */
    Duration DEFAULT_CAP = Duration.ofHours(1);

    /**
     * The delay before retry number {@code retry}.
     *
     * @param retry 1 for the first retry, 2 for the second, ...
     */
    Duration delayFor(int retry);

    /** No wait. */
    static RetryDelay none() {
        return retry -> Duration.ZERO;
    }

    /** The same wait before every retry. */
    static RetryDelay fixed(Duration delay) {
        requireNonNegative("delay", delay);
        return retry -> delay;
    }

    /**
     * {@code initial * multiplier^(retry-1)}, capped at {@code max}.
     *
     * @param initial    the delay before the first retry
     * @param multiplier growth per retry, at least 1
     * @param max        the cap
     */
    static RetryDelay exponential(Duration initial, double multiplier, Duration max) {
        requireNonNegative("initial", initial);
        requireNonNegative("max", max);
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier: must be a finite number >= 1, was " + multiplier);
        }
        double initialNanos = toNanos(initial);
        double maxNanos = toNanos(max);
        return retry -> {
            int exponent = Math.max(0, retry - 1);
            double nanos = initialNanos * Math.pow(multiplier, exponent);
            return clamp(nanos, max, maxNanos);
        };
    }

    /**
     * Spreads each delay uniformly over {@code [d * (1 - factor), d * (1 + factor)]} so that many clients failing
     * together do not retry together. The result stays within {@link #DEFAULT_CAP} or the cap given to
     * {@link #cappedAt(Duration)} afterwards.
     *
     * @param factor between 0 and 1
     */
    default RetryDelay withJitter(double factor) {
        if (!(factor >= 0.0 && factor <= 1.0)) {
            throw new IllegalArgumentException("factor: must be within [0, 1], was " + factor);
        }
        RetryDelay base = this;
        double capNanos = toNanos(DEFAULT_CAP);
        return retry -> {
            double nanos = toNanos(base.delayFor(retry));
            double spread = nanos * factor;
            double jittered = nanos - spread + ThreadLocalRandom.current().nextDouble() * 2 * spread;
            return clamp(jittered, DEFAULT_CAP, capNanos);
        };
    }

    /** This delay, never longer than {@code max}. */
    default RetryDelay cappedAt(Duration max) {
        requireNonNegative("max", max);
        RetryDelay base = this;
        return retry -> {
            Duration d = base.delayFor(retry);
            return d.compareTo(max) > 0 ? max : d;
        };
    }

    private static void requireNonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": must not be negative, was " + d);
        }
    }

    /** {@code nanos} as a duration within {@code [0, max]}; exact at the cap despite floating-point rounding. */
    private static Duration clamp(double nanos, Duration max, double maxNanos) {
        if (!(nanos > 0)) {
            return Duration.ZERO;
        }
        if (nanos >= maxNanos) {
            return max;
        }
        Duration d = Duration.ofNanos((long) nanos);
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Nanoseconds as a double, saturating instead of overflowing for very long durations. */
    private static double toNanos(Duration d) {
        return d.getSeconds() * 1e9 + d.getNano();
    }
}
