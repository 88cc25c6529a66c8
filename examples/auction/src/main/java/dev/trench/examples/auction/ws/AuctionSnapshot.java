package dev.trench.examples.auction.ws;

import dev.trench.examples.auction.store.Auction;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of an auction at one sequence number, as a websocket node sends it to its clients in a {@code Snapshot}
 * frame. It is what the API answers to {@code GET /auctions/{id}}.
 *
 * @param auctionId the auction
 * @param title     what is sold
 * @param highest   the highest accepted bid, {@code null} before the first
 * @param leader    who placed it, {@code null} before the first bid
 * @param seq       the auction's sequence number: how many bids were accepted
 * @param status    {@code open} or {@code closed}
 * @param endsAt    when bidding ends
 */
public record AuctionSnapshot(String auctionId, String title, @Nullable BigDecimal highest, @Nullable String leader,
        long seq, String status, Instant endsAt) {

    /** Status of an auction that still takes bids. */
    public static final String OPEN = "open";
    /** Status of an auction that no longer takes bids. */
    public static final String CLOSED = "closed";

    /** Checks that the identifying fields are present and {@code seq} is not negative. */
    public AuctionSnapshot {
        Objects.requireNonNull(auctionId, "auctionId");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(endsAt, "endsAt");
        if (seq < 0) {
            throw new IllegalArgumentException("seq: must be at least 0, was " + seq);
        }
    }

    /** The snapshot of a stored auction, with its status at {@code now}. */
    public static AuctionSnapshot of(Auction auction, Instant now) {
        return new AuctionSnapshot(auction.id(), auction.title(), auction.highest(), auction.leader(), auction.seq(),
                auction.statusAt(now), auction.endsAt());
    }

    /** This snapshot after one more accepted bid: the new highest bid, its bidder and the new sequence number. */
    public AuctionSnapshot withBid(BigDecimal amount, String userId, long newSeq) {
        return new AuctionSnapshot(auctionId, title, amount, userId, newSeq, status, endsAt);
    }

    /** This snapshot with status {@link #CLOSED} when it says open but {@code now} is at or past {@link #endsAt()}. */
    public AuctionSnapshot asOf(Instant now) {
        return OPEN.equals(status) && !now.isBefore(endsAt)
                ? new AuctionSnapshot(auctionId, title, highest, leader, seq, CLOSED, endsAt)
                : this;
    }
}
