package dev.trench.examples.auction.loadgen.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The shared books of one run: every bid sent, how the API answered it, what the websockets said of it, the highest
 * sequence number shown per auction, the running counters of the progress line, and the latency recorder. Safe from
 * any thread: the pacer registers bids, the HTTP client's threads record answers, the websocket clients' event loops
 * record frames.
 *
 * <p><b>Matching frames to bids.</b> An {@code AuctionRaised} carries the auction, the amount, the bidder and the
 * sequence number, not the command id. Valid bids of one auction have strictly rising amounts, so (auction, amount)
 * names at most one bid: the frame is matched by it (amounts compared as decimals: {@code 12.5} matches
 * {@code 12.50}). A {@code BidRejected} carries the command id that the bid's 202 answered; it is matched by it,
 * whichever of the two arrives first.
 */
public final class Ledger {
    /** The highest latency the histogram records, in microseconds (one hour); larger values are clamped. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final List<String> auctionIds;
    private final Map<String, Integer> auctionIndex = new HashMap<>();
    private final List<ConcurrentHashMap<BigDecimal, Bid>> validByAmount = new ArrayList<>();
    private final List<Set<Long>> foreignSeqs = new ArrayList<>();
    private final List<Set<Long>> invalidAcceptedSeqs = new ArrayList<>();
    private final AtomicLongArray highestShown;
    private final ConcurrentHashMap<String, Bid> byCommandId = new ConcurrentHashMap<>();
    private final Set<String> rejectedCommandIds = ConcurrentHashMap.newKeySet();
    private final List<Watch> watches = new ArrayList<>();
    private volatile String[] bidderUserIds = new String[0];
    private final AtomicLong openAcked = new AtomicLong();
    private final Recorder latency = new Recorder(HIGHEST_MICROS, 3);

    final LongAdder sent = new LongAdder();
    final LongAdder inFlight = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder rejectedFrames = new LongAdder();
    final LongAdder framesReceived = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder reordered = new LongAdder();
    final LongAdder resyncs = new LongAdder();
    final LongAdder errorFrames = new LongAdder();
    final LongAdder malformedFrames = new LongAdder();
    final LongAdder unexpectedFrames = new LongAdder();
    final LongAdder disconnects = new LongAdder();
    final LongAdder userMismatches = new LongAdder();

    /** Books for a run over these auctions, in this order (their indexes). */
    public Ledger(List<String> auctionIds) {
        this.auctionIds = List.copyOf(auctionIds);
        for (int i = 0; i < auctionIds.size(); i++) {
            auctionIndex.put(auctionIds.get(i), i);
            validByAmount.add(new ConcurrentHashMap<>());
            foreignSeqs.add(ConcurrentHashMap.newKeySet());
            invalidAcceptedSeqs.add(ConcurrentHashMap.newKeySet());
        }
        highestShown = new AtomicLongArray(auctionIds.size());
    }

    /** How many auctions the run bids on. */
    public int auctionCount() {
        return auctionIds.size();
    }

    /** The id of auction {@code index}. */
    public String auctionId(int index) {
        return auctionIds.get(index);
    }

    /** The index of {@code auctionId}, or -1 when the run does not bid on it. */
    public int auctionIndexOf(String auctionId) {
        Integer i = auctionIndex.get(auctionId);
        return i == null ? -1 : i;
    }

    /** The user ids of the bidders, by bidder index (to check the bidder an {@code AuctionRaised} names). */
    public void bidders(List<String> userIds) {
        this.bidderUserIds = userIds.toArray(new String[0]);
    }

    /** Registers the client's watches (before it connects), so the drain can count what is still missing. */
    public synchronized void watching(List<Watch> clientWatches) {
        watches.addAll(clientWatches);
    }

    // ---- bids -----------------------------------------------------------------------------------------------------

    /** A bid is about to be posted: from now on a frame can name it. */
    public void sending(Bid bid) {
        if (bid.kind() == BidPlan.Kind.VALID && bid.amount() != null) {
            validByAmount.get(bid.auction()).put(key(bid.amount()), bid);
        }
        sent.increment();
        inFlight.increment();
    }

    /** The API answered {@code bid} with {@code status} (and for a 2xx, maybe a command id). */
    public void answered(Bid bid, int status, @Nullable String commandId) {
        Bid.Answer answer;
        if (status / 100 == 2) {
            answer = Bid.Answer.ACKED;
            acked.increment();
        } else if (status == 400 || status == 404 || status == 409 || status == 422) {
            answer = Bid.Answer.REFUSED;
            refused.increment();
        } else if (status == 429) {
            answer = Bid.Answer.THROTTLED;
            throttled.increment();
        } else if (status == 503) {
            answer = Bid.Answer.UNAVAILABLE;
            unavailable.increment();
        } else {
            answer = Bid.Answer.FAILED;
            failed.increment();
        }
        if (answer == Bid.Answer.ACKED && commandId != null) {
            byCommandId.put(commandId, bid);
        }
        bid.answered(answer, status, answer == Bid.Answer.ACKED ? commandId : null, openAcked);
        if (answer == Bid.Answer.ACKED && commandId != null && rejectedCommandIds.contains(commandId)) {
            bid.markRejected(openAcked);
        }
        inFlight.decrement();
    }

    /** The bid's POST failed without an answer (timeout, connection error). */
    public void failed(Bid bid) {
        bid.answered(Bid.Answer.FAILED, 0, null, openAcked);
        failed.increment();
        inFlight.decrement();
    }

    // ---- frames ---------------------------------------------------------------------------------------------------

    /** An {@code AuctionRaised} frame for {@code watch}'s auction arrived at {@code nanos}. */
    public void onRaised(Watch watch, ServerFrame frame, long nanos) {
        long seq = frame.seq();
        Watch.Outcome outcome = watch.raised(seq);
        if (outcome == Watch.Outcome.OUT_OF_RANGE) {
            return;
        }
        int a = watch.auction();
        highestShown.accumulateAndGet(a, seq, Math::max);
        switch (outcome) {
            case RECEIVED, RECEIVED_LATE -> {
                framesReceived.increment();
                if (outcome == Watch.Outcome.RECEIVED_LATE) {
                    reordered.increment();
                }
                match(a, frame, nanos);
            }
            case DUPLICATE -> duplicates.increment();
            case STALE -> reordered.increment();
            default -> {
            }
        }
    }

    private void match(int a, ServerFrame frame, long nanos) {
        BigDecimal amount = frame.amount();
        Bid bid = amount == null ? null : validByAmount.get(a).get(key(amount));
        if (bid == null) {
            if (amount != null && amount.compareTo(BidPlan.TOO_LOW_AMOUNT) == 0) {
                invalidAcceptedSeqs.get(a).add(frame.seq());
            } else {
                foreignSeqs.get(a).add(frame.seq());
            }
            return;
        }
        if (bid.measured()) {
            long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos - bid.sentNanos()));
            latency.recordValue(Math.min(micros, HIGHEST_MICROS));
        }
        if (bid.markRaised(openAcked)) {
            String[] users = bidderUserIds;
            if (bid.bidder() < users.length && frame.userId() != null && !frame.userId().equals(users[bid.bidder()])) {
                userMismatches.increment();
            }
        }
    }

    /** A {@code Snapshot} frame for {@code watch}'s auction arrived. */
    public void onSnapshot(Watch watch, ServerFrame frame) {
        long seq = Math.max(0, frame.seq());
        if (watch.snapshot(seq) == Watch.Outcome.RESYNCED) {
            resyncs.increment();
        }
        highestShown.accumulateAndGet(watch.auction(), seq, Math::max);
    }

    /** A {@code BidRejected} frame arrived (at one of the bidder's clients; several may get the same one). */
    public void onRejected(ServerFrame frame) {
        String id = frame.commandId();
        if (id == null || !rejectedCommandIds.add(id)) {
            return;
        }
        rejectedFrames.increment();
        Bid bid = byCommandId.get(id);
        if (bid != null) {
            bid.markRejected(openAcked);
        }
    }

    /** An {@code Error} frame after the subscriptions were confirmed. */
    public void errorFrame() {
        errorFrames.increment();
    }

    /** A frame that is not JSON, or has a field of the wrong shape. */
    public void malformedFrame() {
        malformedFrames.increment();
    }

    /** A frame of an unknown type, or for an auction the client did not subscribe to. */
    public void unexpectedFrame() {
        unexpectedFrames.increment();
    }

    /** A client's connection closed during the run, not by the run's choice. */
    public void disconnected() {
        disconnects.increment();
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    /** Acked bids whose outcome ({@code AuctionRaised} or {@code BidRejected}) no client has seen yet. */
    public long openAcked() {
        return openAcked.get();
    }

    /** Bid requests without an answer yet. */
    public long inFlight() {
        return inFlight.sum();
    }

    /** The highest sequence number any client was shown for auction {@code a}. */
    public long highestShown(int a) {
        return highestShown.get(a);
    }

    /** Raises auction {@code a}'s highest known sequence number to {@code seq} (the API's final state). */
    public void knownSeq(int a, long seq) {
        highestShown.accumulateAndGet(a, seq, Math::max);
    }

    /**
     * Frames the clients miss so far, counting up to the highest sequence number shown per auction. Reads the watches'
     * bases, which are set before the run starts.
     */
    public synchronized long missingSoFar() {
        long expected = 0;
        for (Watch w : watches) {
            expected += w.expected(highestShown.get(w.auction()));
        }
        return expected - framesReceived.sum();
    }

    /** Distinct accepted sequence numbers whose amount matched no bid of the run (someone else's bids). */
    public long foreignRaised() {
        return foreignSeqs.stream().mapToLong(Set::size).sum();
    }

    /** Distinct accepted sequence numbers with the too-low amount: invalid bids the cluster accepted. */
    public long invalidAccepted() {
        return invalidAcceptedSeqs.stream().mapToLong(Set::size).sum();
    }

    /** Moves the latencies recorded since the last call into {@code total}. Call from one thread. */
    public void drainLatency(Histogram total) {
        total.add(latency.getIntervalHistogram());
    }

    private static BigDecimal key(BigDecimal amount) {
        return amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros();
    }

    /** The running counters, for the progress line. */
    public Counters counters() {
        return new Counters(sent.sum(), acked.sum(), refused.sum() + rejectedFrames.sum(), throttled.sum(),
                unavailable.sum(), failed.sum(), framesReceived.sum(), duplicates.sum(), reordered.sum(),
                resyncs.sum(), errorFrames.sum(), malformedFrames.sum(), unexpectedFrames.sum(), disconnects.sum(),
                userMismatches.sum());
    }

    /**
     * The running counters.
     *
     * @param sent            bids posted
     * @param acked           bids answered 2xx
     * @param rejected        bids refused by the API (4xx on merits) plus distinct {@code BidRejected} command ids
     * @param throttled       bids answered 429
     * @param unavailable     bids answered 503
     * @param failed          bids with another answer, or none
     * @param framesReceived  distinct {@code AuctionRaised} frames received (per client)
     * @param duplicates      duplicate {@code AuctionRaised} frames
     * @param reordered       reordered {@code AuctionRaised} frames
     * @param resyncs         {@code Snapshot} frames after the first of a subscription
     * @param errorFrames     {@code Error} frames after the subscriptions were confirmed
     * @param malformedFrames frames that could not be read
     * @param unexpectedFrames frames of an unknown type or for an auction not subscribed to
     * @param disconnects     clients whose connection closed during the run
     * @param userMismatches  {@code AuctionRaised} frames naming another user than the bid's bidder
     */
    public record Counters(long sent, long acked, long rejected, long throttled, long unavailable, long failed,
            long framesReceived, long duplicates, long reordered, long resyncs, long errorFrames,
            long malformedFrames, long unexpectedFrames, long disconnects, long userMismatches) {
    }
}
