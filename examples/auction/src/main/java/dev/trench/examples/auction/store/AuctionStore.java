package dev.trench.examples.auction.store;

import dev.trench.bus.MessageId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Auction state shared by every worker. Implementations: {@link InMemoryAuctionStore} (the embedded {@code all} role)
 * and a Redis store (the cluster), where {@link #placeBid} is one atomic compare-and-set.
 */
public interface AuctionStore {

    /** Opens an auction; returns {@code false} when one with that id exists already. */
    boolean open(Auction auction);

    Optional<Auction> find(String auctionId);

    /** Auctions still open at {@code now}. */
    List<Auction> listOpen(Instant now);

    /** Remembers that a user takes part in an auction (idempotent). */
    void addParticipant(String auctionId, String userId);

    Set<String> participants(String auctionId);

    /**
     * Atomically accepts a bid when the auction exists, is open at {@code now}, and {@code amount} is at least
     * {@link Auction#minimumNextBid()}; the auction's sequence number then grows by one. Idempotent per command id: a
     * second call with the id of an accepted bid returns that same bid, so a retried or resent command never places
     * two bids and is never refused by its own first success.
     */
    BidDecision placeBid(String auctionId, MessageId commandId, String userId, BigDecimal amount, Instant now);

    /** The bid accepted for a command id, if any. */
    Optional<Bid> acceptedBid(String auctionId, MessageId commandId);
}
