package dev.trench.examples.auction.raisebid;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import java.math.BigDecimal;

/**
 * A user raises the highest bid of an auction. Validates itself: ids present, amount positive with at most two
 * decimals (money is a {@link BigDecimal}, never a binary float).
 *
 * <p>Handled asynchronously by the {@code auction-worker} service: the API's dispatch completes when a worker accepted
 * it. On the worker, its handlers run in order: {@link AddUserToAuction}, {@link CheckBidAmount} (atomically checks
 * and places the bid), {@link NotifyParticipants} (records {@link AuctionRaised}). A failure other than a refusal is
 * retried up to three times, resuming at the handler that failed.
 *
 * @param auctionId the auction
 * @param userId    the bidder (from the API's session token, never from the request body)
 * @param amount    the new highest bid
 */
public record RaiseBid(String auctionId, String userId, BigDecimal amount) implements Command<Accepted> {

    /** The worker service that handles bids. */
    public static final String WORKER = "auction-worker";

    /** Handlers, in order, and capabilities: declared once, here. */
    public static final CommandSpec<RaiseBid> SPEC = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
            .handler(AddUserToAuction.class)
            .handler(CheckBidAmount.class)
            .handler(NotifyParticipants.class)
            .capability(RetryOnFail.upTo(3).withDelay(
                    RetryDelay.exponential(ofMillis(50), 2.0, ofSeconds(2)).withJitter(0.2)))
            .capability(HandledAsynchronously.by(WORKER))
            .build();

    public RaiseBid {
        InvalidCommandException.requireText("auctionId", auctionId);
        InvalidCommandException.requireText("userId", userId);
        InvalidCommandException.requirePositiveAmount("amount", amount, 2);
    }
}
