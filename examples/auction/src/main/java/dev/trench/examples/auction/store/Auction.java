package dev.trench.examples.auction.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of one auction as the store keeps it.
 *
 * @param id            the auction id, e.g. {@code A1}
 * @param title         what is sold
 * @param startingPrice the lowest acceptable first bid
 * @param minIncrement  how much each bid must add to the highest one
 * @param endsAt        bids at or after this instant are refused
 * @param highest       the highest accepted bid, {@code null} before the first
 * @param leader        the user who placed it
 * @param seq           how many bids were accepted; each {@code AuctionRaised} carries the new value
 */
public record Auction(String id, String title, BigDecimal startingPrice, BigDecimal minIncrement, Instant endsAt,
        @Nullable BigDecimal highest, @Nullable String leader, long seq) {
    public Auction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(startingPrice, "startingPrice");
        Objects.requireNonNull(minIncrement, "minIncrement");
        Objects.requireNonNull(endsAt, "endsAt");
    }

    /** Whether bids are still taken at {@code now}. */
    public boolean isOpenAt(Instant now) {
        return now.isBefore(endsAt);
    }

    /** The smallest amount the next bid may have. */
    public BigDecimal minimumNextBid() {
        return highest == null ? startingPrice : highest.add(minIncrement);
    }

    /** {@code open} or {@code closed} at {@code now}. */
    public String statusAt(Instant now) {
        return isOpenAt(now) ? "open" : "closed";
    }
}
