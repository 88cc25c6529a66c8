package dev.trench.examples.auction.loadgen.internal;

import java.util.BitSet;

/**
 * What one websocket client saw of one auction it subscribed to: the sequence number it started from (its
 * <em>base</em>), which later {@code AuctionRaised} sequence numbers it received, the highest sequence number it was
 * shown (by an {@code AuctionRaised} or a {@code Snapshot}), and its duplicates and reorderings. Confined to the
 * client's I/O thread (or to one test thread): no locking.
 *
 * <p>The rules, applied to each frame in arrival order:
 * <ul>
 *   <li>The first frame after subscribing (normally the node's {@code Snapshot}; an {@code AuctionRaised} when the
 *       node could not fetch one) <em>confirms</em> the subscription: its {@code seq} is the base. It is not counted
 *       as received.</li>
 *   <li>A later {@code Snapshot} (the node resynchronised) moves the highest shown sequence number up. It is not
 *       counted as received and fills no gap: an {@code AuctionRaised} it skipped stays missing.</li>
 *   <li>An {@code AuctionRaised} with {@code seq} already received, or equal to the base, is a <b>duplicate</b> (and
 *       nothing else).</li>
 *   <li>Otherwise, one with {@code seq} lower than the highest shown so far is <b>reordered</b>; if it is above the
 *       base it is also received (it did arrive, late).</li>
 *   <li>Otherwise it is <b>received</b> and becomes the highest shown.</li>
 * </ul>
 * With the auction's last accepted sequence number {@code top}, this client expected {@code top - base} frames; the
 * ones it did not receive are lost.
 */
public final class Watch {
    /** The widest span of sequence numbers above the base a watch records (a guard against absurd values). */
    static final long MAX_SPAN = 1L << 24;

    /** How a frame was counted. */
    public enum Outcome {
        /** The first frame after subscribing: the base. */
        CONFIRMED,
        /** A new sequence number, in order. */
        RECEIVED,
        /** A new sequence number, below one already shown: received and reordered. */
        RECEIVED_LATE,
        /** Already received (or the base). */
        DUPLICATE,
        /** At or below the base, below one already shown: reordered only. */
        STALE,
        /** A snapshot after the first frame. */
        RESYNCED,
        /** A sequence number more than {@link #MAX_SPAN} above the base: not recorded. */
        OUT_OF_RANGE
    }

    private final int auction;
    private boolean confirmed;
    private long base;
    private long highestShown;
    private final BitSet received = new BitSet();
    private long receivedCount;
    private long duplicates;
    private long reordered;
    private long resyncs;
    private long outOfRange;

    /** A watch of the auction with index {@code auction} in the run's list, not yet confirmed. */
    public Watch(int auction) {
        this.auction = auction;
    }

    /** The auction's index in the run's list. */
    public int auction() {
        return auction;
    }

    /** A {@code Snapshot} of the auction arrived, showing {@code seq}. */
    public Outcome snapshot(long seq) {
        if (!confirmed) {
            confirm(seq);
            return Outcome.CONFIRMED;
        }
        highestShown = Math.max(highestShown, seq);
        resyncs++;
        return Outcome.RESYNCED;
    }

    /** An {@code AuctionRaised} of the auction arrived, with {@code seq}. */
    public Outcome raised(long seq) {
        if (!confirmed) {
            confirm(seq);
            return Outcome.CONFIRMED;
        }
        if (seq <= base) {
            if (seq == base) {
                duplicates++;
                return Outcome.DUPLICATE;
            }
            reordered++;
            return Outcome.STALE;
        }
        long offset = seq - base - 1;
        if (offset >= MAX_SPAN) {
            outOfRange++;
            return Outcome.OUT_OF_RANGE;
        }
        if (received.get((int) offset)) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        received.set((int) offset);
        receivedCount++;
        if (seq < highestShown) {
            reordered++;
            return Outcome.RECEIVED_LATE;
        }
        highestShown = seq;
        return Outcome.RECEIVED;
    }

    private void confirm(long seq) {
        confirmed = true;
        base = Math.max(0, seq);
        highestShown = base;
    }

    /** Whether the first frame after subscribing arrived. */
    public boolean confirmed() {
        return confirmed;
    }

    /** The sequence number the subscription started from; 0 before it is confirmed. */
    public long base() {
        return base;
    }

    /** The highest sequence number shown by an {@code AuctionRaised} or {@code Snapshot}. */
    public long highestShown() {
        return highestShown;
    }

    /** Distinct {@code AuctionRaised} sequence numbers above the base received. */
    public long received() {
        return receivedCount;
    }

    /** Frames expected when the auction's last accepted sequence number is {@code top}: {@code top - base}. */
    public long expected(long top) {
        return Math.max(0, top - base);
    }

    /** Frames expected up to {@code top} and not received. */
    public long lost(long top) {
        return expected(top) - receivedUpTo(top);
    }

    private long receivedUpTo(long top) {
        long span = top - base;
        if (span <= 0) {
            return 0;
        }
        return span >= MAX_SPAN ? receivedCount : received.get(0, (int) span).cardinality();
    }

    /** {@code AuctionRaised} frames received again. */
    public long duplicates() {
        return duplicates;
    }

    /** {@code AuctionRaised} frames with a sequence number below one already shown. */
    public long reordered() {
        return reordered;
    }

    /** {@code Snapshot} frames after the first (the node resynchronised). */
    public long resyncs() {
        return resyncs;
    }

    /** {@code AuctionRaised} frames with a sequence number too far above the base to record. */
    public long outOfRange() {
        return outOfRange;
    }
}
