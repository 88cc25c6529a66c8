package dev.trench.transport.http.internal;

import dev.trench.bus.MessageId;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The command ids a worker endpoint accepted recently, so that a resend of one is acknowledged again without being
 * handled twice.
 *
 * <p>An id is remembered for {@code window} after it was accepted, and never more than {@code maxEntries} ids at once:
 * when full, the oldest are forgotten early (counted by {@link #evictedEarly()}), so memory stays bounded whatever the
 * rate. An id is remembered only if its admission succeeded: a command refused for lack of room is not remembered, and
 * its resend is considered afresh. The check and the admission are one atomic step per id, so two concurrent
 * requests with the same id never both get admitted.
 */
public final class DedupeWindow {
    /** What {@link #admit} did. */
    public enum Result {
        /** The id was new; the admission ran and succeeded; the id is remembered. */
        ADMITTED,
        /** The id was new; the admission ran and refused; the id is not remembered. */
        REFUSED,
        /** The id was accepted within the window; the admission did not run. */
        DUPLICATE
    }

    private record Entry(MessageId id, long acceptedAtMillis) {
    }

    private final long windowMillis;
    private final int maxEntries;
    private final Clock clock;
    private final ConcurrentHashMap<MessageId, Long> accepted = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Entry> order = new ConcurrentLinkedQueue<>();
    private final AtomicLong evictedEarly = new AtomicLong();

    /**
     * Creates a window.
     *
     * @param window     how long an accepted id is remembered
     * @param maxEntries the most ids remembered at once
     * @param clock      the time source
     */
    public DedupeWindow(Duration window, int maxEntries, Clock clock) {
        this.windowMillis = window.toMillis();
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * Runs {@code admission} (e.g. "put it on the queue") unless the id was accepted within the window, and remembers
     * the id when the admission succeeds. The admission runs while the id is locked: keep it short and non-blocking.
     */
    public Result admit(MessageId id, BooleanSupplier admission) {
        long now = clock.millis();
        Result[] result = new Result[1];
        accepted.compute(id, (k, previous) -> {
            if (previous != null && now - previous < windowMillis) {
                result[0] = Result.DUPLICATE;
                return previous;
            }
            if (admission.getAsBoolean()) {
                result[0] = Result.ADMITTED;
                return now;
            }
            result[0] = Result.REFUSED;
            return previous;
        });
        if (result[0] == Result.ADMITTED) {
            order.add(new Entry(id, now));
            evict(now);
        }
        return result[0];
    }

    /** Whether the id was accepted within the window. */
    public boolean contains(MessageId id) {
        Long at = accepted.get(id);
        return at != null && clock.millis() - at < windowMillis;
    }

    /** How many ids are remembered. */
    public int size() {
        return accepted.size();
    }

    /** How many ids were forgotten before their window ended because {@code maxEntries} was reached. */
    public long evictedEarly() {
        return evictedEarly.get();
    }

    private void evict(long now) {
        Entry head;
        while ((head = order.peek()) != null) {
            boolean expired = now - head.acceptedAtMillis() >= windowMillis;
            boolean full = accepted.size() > maxEntries;
            if (!expired && !full) {
                return;
            }
            Entry polled = order.poll();
            if (polled == null) {
                return;
            }
            boolean early = now - polled.acceptedAtMillis() < windowMillis;
            if (accepted.remove(polled.id(), polled.acceptedAtMillis()) && early) {
                evictedEarly.incrementAndGet();
            }
        }
    }
}
