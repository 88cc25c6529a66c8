package dev.trench.examples.auction.openauction;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.HandlerContext;
import dev.trench.examples.auction.store.Auction;
import dev.trench.examples.auction.store.AuctionStore;
import jakarta.inject.Inject;

/** Stores a new auction; refuses an id that exists already ({@code auction-exists}). */
public final class OpenAuctionHandler implements CommandHandler<OpenAuction, Accepted> {
    private final AuctionStore store;

    @Inject
    public OpenAuctionHandler(AuctionStore store) {
        this.store = store;
    }

    @Override
    public void handle(OpenAuction command, HandlerContext<Accepted> context) {
        Auction auction = new Auction(command.auctionId(), command.title(), command.startingPrice(),
                command.minIncrement(), command.endsAt(), null, null, 0);
        if (!store.open(auction)) {
            throw new CommandRejectedException("auction-exists", "auction " + command.auctionId() + " exists");
        }
    }
}
