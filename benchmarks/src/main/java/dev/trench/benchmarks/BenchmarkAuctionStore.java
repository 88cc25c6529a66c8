package dev.trench.benchmarks;

import dev.trench.bus.MessageId;
import dev.trench.examples.auction.store.Auction;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.store.Bid;
import dev.trench.examples.auction.store.BidDecision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link AuctionStore} that accepts every bid without storing anything, so that a benchmark of the real
 * {@code RaiseBid} handlers measures the way they are dispatched, not a data structure. Every variant (direct call,
 * Trench, Axon) uses it.
 */
final class BenchmarkAuctionStore implements AuctionStore {
    private final Bid bid = new Bid("A1", new MessageId(0, 0), "alice", new BigDecimal("12.50"), 1,
            Instant.parse("2026-11-23T12:00:00Z"));
    private final BidDecision placed = new BidDecision.Placed(bid);
    private final Optional<Bid> accepted = Optional.of(bid);

    @Override
    public boolean open(Auction auction) {
        return true;
    }

    @Override
    public Optional<Auction> find(String auctionId) {
        return Optional.empty();
    }

    @Override
    public List<Auction> listOpen(Instant now) {
        return List.of();
    }

    @Override
    public void addParticipant(String auctionId, String userId) {
        // nothing shared is written: a write to one field from every thread would make the benchmark measure cache-line
        // contention instead of dispatch (it did: 2 threads ran slower than 1 for every variant, Axon's too)
    }

    @Override
    public Set<String> participants(String auctionId) {
        return Set.of();
    }

    @Override
    public BidDecision placeBid(String auctionId, MessageId commandId, String userId, BigDecimal amount,
            Instant now) {
        return placed;
    }

    @Override
    public Optional<Bid> acceptedBid(String auctionId, MessageId commandId) {
        return accepted;
    }
}
