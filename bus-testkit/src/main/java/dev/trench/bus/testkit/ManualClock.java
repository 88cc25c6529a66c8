package dev.trench.bus.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when told to: {@link #set(Instant)} or {@link #advance(Duration)}. Give it to the bus (and to
 * anything else that reads time) so that tests control time instead of sleeping. Thread-safe: any thread may read or
 * move it.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();                       // 2025-01-01T00:00:00Z
 * clock.advance(Duration.ofMillis(250));
 * assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusMillis(250));
 * }</pre>
 *
 * <p>{@link #withZone(ZoneId)} returns a view in another zone that shares this clock's time: moving either moves both.
 */
public final class ManualClock extends Clock {
    /** Where a clock made with {@link #ManualClock()} starts: {@code 2025-01-01T00:00:00Z}. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** A clock at {@link #DEFAULT_START}, in UTC. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /** A clock at {@code start}, in UTC. */
    public ManualClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view of this clock in another zone; it shares this clock's time. */
    @Override
    public ManualClock withZone(ZoneId newZone) {
        Objects.requireNonNull(newZone, "zone");
        return newZone.equals(zone) ? this : new ManualClock(now, newZone);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    /** Sets the time; it may go backwards (to test code that must cope with a clock that does). */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /**
     * Moves the time forward.
     *
     * @return the new time
     * @throws IllegalArgumentException when {@code amount} is negative (use {@link #set(Instant)} to go back)
     */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("amount: must not be negative, was " + amount
                    + "; use set(Instant) to move the clock back");
        }
        return now.updateAndGet(t -> t.plus(amount));
    }

    /** Moves the time to {@code instant} if it is later than now; never backwards. Returns the time afterwards. */
    Instant advanceTo(Instant instant) {
        return now.accumulateAndGet(instant, (current, target) -> target.isAfter(current) ? target : current);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManualClock other && other.now == now && other.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(now) * 31 + zone.hashCode();
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "," + zone + "]";
    }
}
