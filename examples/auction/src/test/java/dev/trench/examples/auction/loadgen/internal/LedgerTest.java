package dev.trench.examples.auction.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Matching frames to bids, and the count of acked bids still waiting for an outcome. */
class LedgerTest {
    private final Ledger ledger = new Ledger(List.of("A1", "A2"));

    private static ServerFrame frame(String json) throws Exception {
        return ServerFrame.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ServerFrame raised(String auction, String amount, long seq) throws Exception {
        return frame("{\"type\":\"AuctionRaised\",\"auctionId\":\"" + auction + "\",\"amount\":\"" + amount
                + "\",\"userId\":\"u1\",\"seq\":" + seq + "}");
    }

    private Bid valid(long n, int auction, String amount, long sentNanos) {
        Bid bid = new Bid(n, auction, 0, BidPlan.Kind.VALID, new BigDecimal(amount), sentNanos, true);
        ledger.sending(bid);
        return bid;
    }

    @Test
    void anAuctionRaisedIsMatchedByAuctionAndAmountComparedAsDecimals() throws Exception {
        ledger.bidders(List.of("u1"));
        Bid first = valid(0, 0, "10.00", 0);
        Bid other = valid(1, 1, "10.00", 0);
        ledger.answered(first, 202, "c-1");
        ledger.answered(other, 202, "c-2");
        assertThat(ledger.openAcked()).isEqualTo(2);
        Watch w = new Watch(0);
        ledger.onSnapshot(w, frame("{\"type\":\"Snapshot\",\"auctionId\":\"A1\",\"seq\":0}"));

        ledger.onRaised(w, raised("A1", "10.0", 1), 3_000_000);

        assertThat(first.raised()).isTrue();
        assertThat(other.raised()).isFalse();
        assertThat(ledger.openAcked()).isEqualTo(1);
        Histogram h = new Histogram(Ledger.HIGHEST_MICROS, 3);
        ledger.drainLatency(h);
        assertThat(h.getTotalCount()).isEqualTo(1);
        assertThat(h.getMaxValue()).isBetween(2_990L, 3_010L);
        assertThat(ledger.counters().userMismatches()).isZero();
    }

    @Test
    void aBidOfTheWarmupResolvesButRecordsNoLatency() throws Exception {
        Bid warmup = new Bid(0, 0, 0, BidPlan.Kind.VALID, new BigDecimal("10"), 0, false);
        ledger.sending(warmup);
        Watch w = new Watch(0);
        ledger.onSnapshot(w, frame("{\"type\":\"Snapshot\",\"auctionId\":\"A1\",\"seq\":0}"));

        ledger.onRaised(w, raised("A1", "10", 1), 5_000_000);

        assertThat(warmup.raised()).isTrue();
        assertThat(ledger.counters().framesReceived()).isEqualTo(1);
        Histogram h = new Histogram(Ledger.HIGHEST_MICROS, 3);
        ledger.drainLatency(h);
        assertThat(h.getTotalCount()).isZero();
    }

    @Test
    void aBidRejectedArrivingBeforeTheAckStillResolvesTheBid() throws Exception {
        Bid bid = new Bid(0, 0, 0, BidPlan.Kind.TOO_LOW, BidPlan.TOO_LOW_AMOUNT, 0, true);
        ledger.sending(bid);

        ledger.onRejected(frame("{\"type\":\"BidRejected\",\"auctionId\":\"A1\",\"commandId\":\"c-9\"}"));
        ledger.onRejected(frame("{\"type\":\"BidRejected\",\"auctionId\":\"A1\",\"commandId\":\"c-9\"}"));
        ledger.answered(bid, 202, "c-9");

        assertThat(bid.rejected()).isTrue();
        assertThat(bid.answer()).isEqualTo(Bid.Answer.ACKED);
        assertThat(ledger.openAcked()).isZero();
        assertThat(ledger.inFlight()).isZero();
        assertThat(ledger.counters().rejected()).as("the same rejection at two sessions counts once").isEqualTo(1);
    }

    @Test
    void answersAreSortedByStatus() {
        int[] statuses = {202, 400, 404, 409, 422, 429, 503, 401, 500};
        for (int i = 0; i < statuses.length; i++) {
            Bid bid = valid(i, 0, String.valueOf(10 + i), 0);
            ledger.answered(bid, statuses[i], statuses[i] == 202 ? "c" + i : null);
        }
        Bid timedOut = valid(99, 0, "99", 0);
        ledger.failed(timedOut);

        Ledger.Counters c = ledger.counters();
        assertThat(c.sent()).isEqualTo(10);
        assertThat(c.acked()).isEqualTo(1);
        assertThat(c.rejected()).isEqualTo(4);
        assertThat(c.throttled()).isEqualTo(1);
        assertThat(c.unavailable()).isEqualTo(1);
        assertThat(c.failed()).isEqualTo(3);
        assertThat(ledger.inFlight()).isZero();
        assertThat(timedOut.answer()).isEqualTo(Bid.Answer.FAILED);
    }

    @Test
    void missingFramesAreCountedUpToTheHighestSeqShownOrKnown() throws Exception {
        Watch a = new Watch(0);
        Watch b = new Watch(0);
        ledger.watching(List.of(a, b));
        ledger.onSnapshot(a, frame("{\"type\":\"Snapshot\",\"auctionId\":\"A1\",\"seq\":0}"));
        ledger.onSnapshot(b, frame("{\"type\":\"Snapshot\",\"auctionId\":\"A1\",\"seq\":0}"));
        valid(0, 0, "10", 0);
        valid(1, 0, "11", 0);

        ledger.onRaised(a, raised("A1", "10", 1), 1);
        ledger.onRaised(a, raised("A1", "11", 2), 1);
        assertThat(ledger.missingSoFar()).as("b has neither").isEqualTo(2);
        ledger.onRaised(b, raised("A1", "10", 1), 1);
        ledger.onRaised(b, raised("A1", "11", 2), 1);
        assertThat(ledger.missingSoFar()).isZero();

        ledger.knownSeq(0, 3);
        assertThat(ledger.missingSoFar()).as("seq 3, accepted but shown to nobody").isEqualTo(2);
    }

    @Test
    void anAcceptedTooLowBidAndSomeoneElsesBidAreCountedApart() throws Exception {
        Watch w = new Watch(1);
        ledger.onSnapshot(w, frame("{\"type\":\"Snapshot\",\"auctionId\":\"A2\",\"seq\":0}"));

        ledger.onRaised(w, raised("A2", "0.01", 1), 1);
        ledger.onRaised(w, raised("A2", "50.00", 2), 1);

        assertThat(ledger.invalidAccepted()).isEqualTo(1);
        assertThat(ledger.foreignRaised()).isEqualTo(1);
        assertThat(ledger.counters().framesReceived()).isEqualTo(2);
    }
}
