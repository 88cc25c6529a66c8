package dev.trench.examples.auction.raisebid;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A bid was refused. Sent to the websocket nodes, which pass it only to the bidder's own sessions.
 *
 * @param auctionId the auction
 * @param userId    the bidder, the only one who sees it
 * @param amount    the refused amount
 * @param reason    {@code unknown-auction}, {@code auction-closed} or {@code bid-too-low}
 * @param message   for people
 * @param commandId the id of the refused {@link RaiseBid}
 * @param at        when it was refused
 */
public record BidRejected(String auctionId, String userId, BigDecimal amount, String reason, String message,
        String commandId, Instant at) {
}
