package dev.trench.examples.auction.raisebid;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A bid was accepted: the auction's new highest bid. Sent to every websocket node, and from there to every browser
 * watching the auction. {@code seq} grows by one per accepted bid, so a node can drop stale events and detect gaps.
 *
 * @param auctionId the auction
 * @param amount    the new highest bid
 * @param userId    its bidder
 * @param seq       the auction's sequence number after this bid
 * @param at        when it was accepted
 */
public record AuctionRaised(String auctionId, BigDecimal amount, String userId, long seq, Instant at) {
}
