package dev.trench.examples.auction.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Limits how many bids one user may place per second: a token bucket per user, refilled at
 * {@code bidsPerSecond}, holding at most {@code burst} bids. The buckets live in a bounded map: past {@code maxUsers}
 * users the least recently seen one is forgotten (it starts again with a full bucket), so memory stays bounded
 * whatever the number of users. Thread-safe.
 */
public final class BidRateLimiter {
    /** The time one bid costs, in nanoseconds of refill: 1 s / rate. */
    private final long costNanos;
    /** The most credit a bucket holds: burst × cost. */
    private final long capacityNanos;
    private final double bidsPerSecond;
    private final int burst;
    private final int maxUsers;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<String, Bucket> buckets;

    /**
     * A limiter on the system's {@link System#nanoTime()}.
     *
     * @see #BidRateLimiter(double, int, int, LongSupplier)
     */
    public BidRateLimiter(double bidsPerSecond, int burst, int maxUsers) {
        this(bidsPerSecond, burst, maxUsers, System::nanoTime);
    }

    /**
     * A limiter.
     *
     * @param bidsPerSecond the sustained rate per user, &gt; 0
     * @param burst         the most bids a user may place at once after a pause, &gt;= 1
     * @param maxUsers      users tracked at once, &gt;= 1
     * @param nanoTime      the time source (nanoseconds, monotonic)
     * @throws IllegalArgumentException naming the field and its value
     */
    public BidRateLimiter(double bidsPerSecond, int burst, int maxUsers, LongSupplier nanoTime) {
        if (!(bidsPerSecond > 0) || Double.isInfinite(bidsPerSecond)) {
            throw new IllegalArgumentException("bidsPerSecond: must be a positive number, was " + bidsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: must be >= 1, was " + burst);
        }
        if (maxUsers < 1) {
            throw new IllegalArgumentException("maxUsers: must be >= 1, was " + maxUsers);
        }
        this.bidsPerSecond = bidsPerSecond;
        this.costNanos = Math.max(1, Math.round(1e9 / bidsPerSecond));
        this.burst = burst;
        this.capacityNanos = costNanos > Long.MAX_VALUE / burst ? Long.MAX_VALUE : costNanos * burst;
        this.maxUsers = maxUsers;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > BidRateLimiter.this.maxUsers;
            }
        };
    }

    /**
     * Takes one bid from the user's bucket.
     *
     * @return {@link Duration#ZERO} when the bid may go ahead; otherwise how long until the next one may
     */
    public Duration tryAcquire(String userId) {
        Objects.requireNonNull(userId, "userId");
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket b = buckets.get(userId);
            if (b == null) {
                b = new Bucket(capacityNanos, now);
                buckets.put(userId, b);
            } else {
                long elapsed = Math.max(0, now - b.refilledAt);
                b.credit = capacityNanos - b.credit <= elapsed ? capacityNanos : b.credit + elapsed;
                b.refilledAt = now;
            }
            if (b.credit >= costNanos) {
                b.credit -= costNanos;
                return Duration.ZERO;
            }
            return Duration.ofNanos(costNanos - b.credit);
        }
    }

    /** Users tracked now (at most {@code maxUsers}). */
    public int trackedUsers() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    @Override
    public String toString() {
        return "BidRateLimiter{" + bidsPerSecond + "/s, burst=" + burst + ", maxUsers=" + maxUsers + "}";
    }

    /** Credit in nanoseconds of refill time; one bid costs {@link #costNanos}. */
    private static final class Bucket {
        long credit;
        long refilledAt;

        Bucket(long credit, long refilledAt) {
            this.credit = credit;
            this.refilledAt = refilledAt;
        }
    }
}
