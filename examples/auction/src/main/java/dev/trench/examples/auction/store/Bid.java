package dev.trench.examples.auction.store;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An accepted bid.
 *
 * @param auctionId the auction
 * @param commandId the id of the {@code RaiseBid} command that placed it (the store's idempotency key)
 * @param userId    the bidder
 * @param amount    the amount
 * @param seq       the auction's sequence number after this bid
 * @param at        when it was accepted
 */
public record Bid(String auctionId, String commandId, String userId, BigDecimal amount, long seq, Instant at) {
}
