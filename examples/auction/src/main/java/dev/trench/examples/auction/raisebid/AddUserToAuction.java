package dev.trench.examples.auction.raisebid;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.HandlerContext;
import dev.trench.examples.auction.store.AuctionStore;
import jakarta.inject.Inject;

/** First handler of {@link RaiseBid}: the bidder becomes a participant of the auction. Idempotent. */
public final class AddUserToAuction implements CommandHandler<RaiseBid, Accepted> {
    private final AuctionStore store;

    @Inject
    public AddUserToAuction(AuctionStore store) {
        this.store = store;
    }

    @Override
    public void handle(RaiseBid command, HandlerContext<Accepted> context) {
        store.addParticipant(command.auctionId(), command.userId());
    }
}
