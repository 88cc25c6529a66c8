package dev.trench.examples.auction.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * How lively the demo is.
 *
 * @param auctions        auctions kept open at once; a closed one is replaced by a new one
 * @param bots            bidding bots ({@code bot-anna}, {@code bot-ben}, …)
 * @param bidInterval     the pause between two bids (of any bot)
 * @param auctionDuration how long each demo auction stays open
 * @param tooLowShare     the share of bids, in percent, placed too low on purpose (rejected, as a user would see)
 */
public record DemoSettings(int auctions, int bots, Duration bidInterval, Duration auctionDuration, int tooLowShare) {

    /** Validates every value, naming the field. */
    public DemoSettings {
        if (auctions < 1 || auctions > 100) {
            throw new IllegalArgumentException("demoAuctions: must be within [1, 100], was " + auctions);
        }
        if (bots < 1 || bots > 100) {
            throw new IllegalArgumentException("demoBots: must be within [1, 100], was " + bots);
        }
        Objects.requireNonNull(bidInterval, "bidInterval");
        if (bidInterval.toMillis() < 10) {
            throw new IllegalArgumentException("demoBidInterval: must be at least 10 ms, was " + bidInterval);
        }
        Objects.requireNonNull(auctionDuration, "auctionDuration");
        if (auctionDuration.toSeconds() < 1) {
            throw new IllegalArgumentException("demoAuctionDuration: must be at least 1 s, was " + auctionDuration);
        }
        if (tooLowShare < 0 || tooLowShare > 100) {
            throw new IllegalArgumentException("tooLowShare: must be within [0, 100], was " + tooLowShare);
        }
    }

    /** Three auctions of ten minutes, four bots, a bid every 700 ms, one in ten too low. */
    public static DemoSettings defaults() {
        return new DemoSettings(3, 4, Duration.ofMillis(700), Duration.ofMinutes(10), 10);
    }
}
