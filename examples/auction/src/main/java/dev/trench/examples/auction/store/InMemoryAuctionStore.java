package dev.trench.examples.auction.store;

import dev.trench.bus.MessageId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link AuctionStore} in memory, for the embedded role and tests. Each auction is updated under its own lock
 * (the map's per-key compute), so bids on different auctions never wait for each other.
 */
public final class InMemoryAuctionStore implements AuctionStore {
    /** Accepted bids remembered per auction for idempotency. */
    private static final int REMEMBERED_BIDS = 1024;

    private final ConcurrentHashMap<String, Entry> auctions = new ConcurrentHashMap<>();

    private static final class Entry {
        final Auction auction;
        final Set<String> participants = ConcurrentHashMap.newKeySet();
        final Map<MessageId, Bid> bidsByCommand;

        Entry(Auction auction, Map<MessageId, Bid> bids) {
            this.auction = auction;
            this.bidsByCommand = bids;
        }

        Entry with(Auction next) {
            Entry e = new Entry(next, bidsByCommand);
            e.participants.addAll(participants);
            return e;
        }
    }

    @Override
    public boolean open(Auction auction) {
        return auctions.putIfAbsent(auction.id(), new Entry(auction, boundedMap())) == null;
    }

    @Override
    public Optional<Auction> find(String auctionId) {
        Entry e = auctions.get(auctionId);
        return e == null ? Optional.empty() : Optional.of(e.auction);
    }

    @Override
    public List<Auction> listOpen(Instant now) {
        List<Auction> open = new ArrayList<>();
        for (Entry e : auctions.values()) {
            if (e.auction.isOpenAt(now)) {
                open.add(e.auction);
            }
        }
        open.sort(Comparator.comparing(Auction::id));
        return open;
    }

    @Override
    public void addParticipant(String auctionId, String userId) {
        Entry e = auctions.get(auctionId);
        if (e != null) {
            e.participants.add(userId);
        }
    }

    @Override
    public Set<String> participants(String auctionId) {
        Entry e = auctions.get(auctionId);
        return e == null ? Set.of() : Set.copyOf(e.participants);
    }

    @Override
    public BidDecision placeBid(String auctionId, MessageId commandId, String userId, BigDecimal amount, Instant now) {
        BidDecision[] decision = new BidDecision[1];
        auctions.computeIfPresent(auctionId, (id, e) -> {
            Bid earlier = e.bidsByCommand.get(commandId);
            if (earlier != null) {
                decision[0] = new BidDecision.Placed(earlier);
                return e;
            }
            Auction a = e.auction;
            if (!a.isOpenAt(now)) {
                decision[0] = new BidDecision.Refused("auction-closed", "auction " + id + " closed at " + a.endsAt());
                return e;
            }
            BigDecimal minimum = a.minimumNextBid();
            if (amount.compareTo(minimum) < 0) {
                decision[0] = new BidDecision.Refused("bid-too-low",
                        "bid " + amount.toPlainString() + " is below the minimum " + minimum.toPlainString());
                return e;
            }
            long seq = a.seq() + 1;
            Bid bid = new Bid(id, commandId, userId, amount, seq, now);
            e.bidsByCommand.put(commandId, bid);
            decision[0] = new BidDecision.Placed(bid);
            return e.with(new Auction(a.id(), a.title(), a.startingPrice(), a.minIncrement(), a.endsAt(), amount,
                    userId, seq));
        });
        if (decision[0] == null) {
            return new BidDecision.Refused("unknown-auction", "no auction " + auctionId);
        }
        return decision[0];
    }

    @Override
    public Optional<Bid> acceptedBid(String auctionId, MessageId commandId) {
        Entry e = auctions.get(auctionId);
        if (e == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(e.bidsByCommand.get(commandId)); // a synchronized map: get locks it
    }

    private static Map<MessageId, Bid> boundedMap() {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<MessageId, Bid> eldest) {
                return size() > REMEMBERED_BIDS;
            }
        });
    }
}
