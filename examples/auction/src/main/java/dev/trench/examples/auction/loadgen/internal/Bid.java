package dev.trench.examples.auction.loadgen.internal;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One bid the run sent: what it was, when its POST started, how the API answered and what became of it on the
 * websockets. The answer and the outcome are set from different threads (the HTTP client's, the websocket clients')
 * in either order; the state is one atomic int and the run's count of acked-but-unresolved bids follows it.
 */
public final class Bid {
    /** How the API answered. */
    public enum Answer {
        /** No answer yet. */
        PENDING,
        /** 2xx: the cluster took it (a worker acked it). */
        ACKED,
        /** 400, 404, 409 or 422: refused on its merits by the API. */
        REFUSED,
        /** 429: the bidder's rate limit. */
        THROTTLED,
        /** 503: the API or the workers are overloaded or unavailable. */
        UNAVAILABLE,
        /** Anything else: 401/403, another status, a timeout, a connection error. */
        FAILED
    }

    private static final int ACKED = 1;
    private static final int RAISED = 2;
    private static final int REJECTED = 4;
    private static final int RESOLVED = RAISED | REJECTED;

    private final long n;
    private final int auction;
    private final int bidder;
    private final BidPlan.Kind kind;
    private final @Nullable BigDecimal amount;
    private final long sentNanos;
    private final boolean measured;
    private final AtomicInteger state = new AtomicInteger();
    private volatile Answer answer = Answer.PENDING;
    private volatile int status;
    private volatile @Nullable String commandId;

    /**
     * A bid whose POST starts at {@code sentNanos} ({@link System#nanoTime()}).
     *
     * @param amount   its amount; {@code null} for a malformed bid
     * @param measured whether its latency is recorded ({@code false} during the warmup)
     */
    public Bid(long n, int auction, int bidder, BidPlan.Kind kind, @Nullable BigDecimal amount, long sentNanos,
            boolean measured) {
        this.n = n;
        this.auction = auction;
        this.bidder = bidder;
        this.kind = kind;
        this.amount = amount;
        this.sentNanos = sentNanos;
        this.measured = measured;
    }

    /** Its number in the run, from 0. */
    public long n() {
        return n;
    }

    /** Its auction's index. */
    public int auction() {
        return auction;
    }

    /** Its bidder's index. */
    public int bidder() {
        return bidder;
    }

    /** What it was meant to be. */
    public BidPlan.Kind kind() {
        return kind;
    }

    /** Its amount; {@code null} for a malformed bid. */
    public @Nullable BigDecimal amount() {
        return amount;
    }

    /** When its POST started ({@link System#nanoTime()}). */
    public long sentNanos() {
        return sentNanos;
    }

    /** Whether its latency is recorded ({@code false} during the warmup). */
    public boolean measured() {
        return measured;
    }

    /** How the API answered. */
    public Answer answer() {
        return answer;
    }

    /** The HTTP status of the answer; 0 without one. */
    public int status() {
        return status;
    }

    /** The command id of a 202, if it carried one. */
    public @Nullable String commandId() {
        return commandId;
    }

    /** Whether an {@code AuctionRaised} of its amount reached a client. */
    public boolean raised() {
        return (state.get() & RAISED) != 0;
    }

    /** Whether a {@code BidRejected} with its command id reached one of its bidder's clients. */
    public boolean rejected() {
        return (state.get() & REJECTED) != 0;
    }

    /**
     * Records the API's answer.
     *
     * @param openAcked the run's count of acked bids with no outcome yet
     */
    public void answered(Answer value, int httpStatus, @Nullable String id, AtomicLong openAcked) {
        this.commandId = id;
        this.status = httpStatus;
        this.answer = value;
        if (value == Answer.ACKED) {
            set(ACKED, openAcked);
        }
    }

    /** Records an {@code AuctionRaised} for it; {@code true} the first time (and only if not rejected). */
    public boolean markRaised(AtomicLong openAcked) {
        return set(RAISED, openAcked);
    }

    /** Records a {@code BidRejected} for it; {@code true} the first time (and only if not raised). */
    public boolean markRejected(AtomicLong openAcked) {
        return set(REJECTED, openAcked);
    }

    private boolean set(int bit, AtomicLong openAcked) {
        while (true) {
            int old = state.get();
            if ((old & bit) != 0 || (bit != ACKED && (old & RESOLVED) != 0)) {
                return false;
            }
            int next = old | bit;
            if (state.compareAndSet(old, next)) {
                int delta = open(next) - open(old);
                if (delta != 0) {
                    openAcked.addAndGet(delta);
                }
                return true;
            }
        }
    }

    private static int open(int s) {
        return (s & ACKED) != 0 && (s & RESOLVED) == 0 ? 1 : 0;
    }
}
