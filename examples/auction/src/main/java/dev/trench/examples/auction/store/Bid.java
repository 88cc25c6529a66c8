package dev.trench.examples.auction.store;

import dev.trench.bus.MessageId;
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
public record Bid(String auctionId, MessageId commandId, String userId, BigDecimal amount, long seq, Instant at) {
}
