package dev.trench.bus.testkit.auction;

import dev.trench.bus.Command;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A small auction slice, as a service author writes it, for the fixture's tests. */
final class Auction {
    private Auction() {
    }

    record OpenAuction(String auctionId, BigDecimal reservePrice) implements Command<Void> {
        OpenAuction {
            InvalidCommandException.requireText("auctionId", auctionId);
            InvalidCommandException.requirePositiveAmount("reservePrice", reservePrice, 2);
        }

        static final CommandSpec<OpenAuction> SPEC = CommandSpec.of(OpenAuction.class, "auction.open")
                .handler(OpenAuctionHandler.class)
                .build();
    }

    /** Raises a bid; the result is the auction's new highest bid. Retried twice: after 100 ms, then 200 ms. */
    record RaiseBid(String auctionId, String bidder, BigDecimal amount) implements Command<BigDecimal> {
        RaiseBid {
            InvalidCommandException.requireText("auctionId", auctionId);
            InvalidCommandException.requireText("bidder", bidder);
            InvalidCommandException.requirePositiveAmount("amount", amount, 2);
        }

        static final CommandSpec<RaiseBid> SPEC = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
                .handler(CheckBidAmount.class)
                .handler(RecordBid.class)
                .capability(RetryOnFail.upTo(2)
                        .withDelay(RetryDelay.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(1))))
                .build();
    }

    /** Dispatched by {@link RecordBid} after each accepted bid. */
    record NotifyBidders(String auctionId) implements Command<Void> {
        static final CommandSpec<NotifyBidders> SPEC = CommandSpec.of(NotifyBidders.class, "auction.notify-bidders")
                .handler(NotifyBiddersHandler.class)
                .build();
    }

    /** The domain event of an accepted bid. */
    record BidRaised(String auctionId, String bidder, BigDecimal amount) {
    }

    /** The notification sent to bidders, as a domain event. */
    record BiddersNotified(String auctionId) {
    }

    /** The store could not be reached: a transient failure, worth retrying. */
    static final class AuctionStoreUnavailable extends RuntimeException {
        AuctionStoreUnavailable(String message) {
            super(message);
        }
    }

    /** The repository the handlers use. */
    interface Auctions {
        void open(String auctionId, BigDecimal reservePrice);

        Optional<BigDecimal> floor(String auctionId);

        void saveBid(String auctionId, String bidder, BigDecimal amount);
    }

    /** An in-memory store whose next saves can be made to fail. */
    static final class FlakyAuctions implements Auctions {
        private final Map<String, BigDecimal> floors = new ConcurrentHashMap<>();
        private final AtomicInteger failingSaves = new AtomicInteger();

        /** The next {@code n} saves fail with {@link AuctionStoreUnavailable}. */
        FlakyAuctions failNextSaves(int n) {
            failingSaves.set(n);
            return this;
        }

        @Override
        public void open(String auctionId, BigDecimal reservePrice) {
            floors.put(auctionId, reservePrice);
        }

        @Override
        public Optional<BigDecimal> floor(String auctionId) {
            return Optional.ofNullable(floors.get(auctionId));
        }

        @Override
        public void saveBid(String auctionId, String bidder, BigDecimal amount) {
            if (failingSaves.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new AuctionStoreUnavailable("auction store timed out saving a bid on " + auctionId);
            }
            floors.put(auctionId, amount);
        }
    }

    static final class OpenAuctionHandler implements CommandHandler<OpenAuction, Void> {
        private final Auctions auctions;

        OpenAuctionHandler(Auctions auctions) {
            this.auctions = auctions;
        }

        @Override
        public void handle(OpenAuction command, HandlerContext<Void> context) {
            auctions.open(command.auctionId(), command.reservePrice());
        }
    }

    static final class CheckBidAmount implements CommandHandler<RaiseBid, BigDecimal> {
        private final Auctions auctions;
        final List<RaiseBid> checked = new CopyOnWriteArrayList<>();

        CheckBidAmount(Auctions auctions) {
            this.auctions = auctions;
        }

        @Override
        public void handle(RaiseBid command, HandlerContext<BigDecimal> context) {
            checked.add(command);
            BigDecimal floor = auctions.floor(command.auctionId()).orElseThrow(() -> new CommandRejectedException(
                    "auction-unknown", "no auction " + command.auctionId()));
            if (command.amount().compareTo(floor) <= 0) {
                throw new CommandRejectedException("bid-too-low", "a bid on " + command.auctionId()
                        + " must be above " + floor + ", was " + command.amount());
            }
        }
    }

    static final class RecordBid implements CommandHandler<RaiseBid, BigDecimal> {
        private final Auctions auctions;

        RecordBid(Auctions auctions) {
            this.auctions = auctions;
        }

        @Override
        public void handle(RaiseBid command, HandlerContext<BigDecimal> context) {
            auctions.saveBid(command.auctionId(), command.bidder(), command.amount());
            context.record(new BidRaised(command.auctionId(), command.bidder(), command.amount()));
            context.dispatch(new NotifyBidders(command.auctionId()));
            context.result(command.amount());
        }
    }

    static final class NotifyBiddersHandler implements CommandHandler<NotifyBidders, Void> {
        @Override
        public void handle(NotifyBidders command, HandlerContext<Void> context) {
            context.record(new BiddersNotified(command.auctionId()));
        }
    }
}
