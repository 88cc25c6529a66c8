package dev.trench.examples.auction.raisebid;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.HandlerContext;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.store.BidDecision;
import jakarta.inject.Inject;

/**
 * Second handler of {@link RaiseBid}: the auction must be open and the amount at least the highest bid plus the
 * auction's minimum increment. The check and the placement are one atomic store operation, keyed by the command id,
 * so two workers can never both accept conflicting bids and a retried command is not refused by its own success.
 * A refusal is a {@link CommandRejectedException} with reason {@code unknown-auction}, {@code auction-closed} or
 * {@code bid-too-low}; it is never retried.
 */
public final class CheckBidAmount implements CommandHandler<RaiseBid, Accepted> {
    private final AuctionStore store;

    @Inject
    public CheckBidAmount(AuctionStore store) {
        this.store = store;
    }

    @Override
    public void handle(RaiseBid command, HandlerContext<Accepted> context) {
        BidDecision decision = store.placeBid(command.auctionId(), context.envelope().commandId(),
                command.userId(), command.amount(), context.clock().instant());
        if (decision instanceof BidDecision.Refused refused) {
            throw new CommandRejectedException(refused.reason(), refused.message());
        }
    }
}
