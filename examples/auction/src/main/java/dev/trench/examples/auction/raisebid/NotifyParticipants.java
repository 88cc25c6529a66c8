package dev.trench.examples.auction.raisebid;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.MessageId;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.store.Bid;
import jakarta.inject.Inject;

/**
 * Third handler of {@link RaiseBid}: records {@link AuctionRaised} for the bid this command placed, with the
 * auction's new sequence number. The events middleware publishes it once every handler succeeded.
 */
public final class NotifyParticipants implements CommandHandler<RaiseBid, Accepted> {
    private final AuctionStore store;

    @Inject
    public NotifyParticipants(AuctionStore store) {
        this.store = store;
    }

    @Override
    public void handle(RaiseBid command, HandlerContext<Accepted> context) {
        MessageId commandId = context.envelope().commandId();
        Bid bid = store.acceptedBid(command.auctionId(), commandId).orElseThrow(() -> new IllegalStateException(
                "no accepted bid for command " + commandId + " on auction " + command.auctionId()));
        context.record(new AuctionRaised(bid.auctionId(), bid.amount(), bid.userId(), bid.seq(), bid.at()));
    }
}
