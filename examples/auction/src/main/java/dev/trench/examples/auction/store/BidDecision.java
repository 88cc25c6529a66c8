package dev.trench.examples.auction.store;

/** What the store decided about a bid: placed, or refused with a reason code. */
public sealed interface BidDecision {

    /** The bid was accepted (or had already been accepted for the same command id). */
    record Placed(Bid bid) implements BidDecision {
    }

    /**
     * The bid was refused.
     *
     * @param reason  {@code unknown-auction}, {@code auction-closed} or {@code bid-too-low}
     * @param message for people
     */
    record Refused(String reason, String message) implements BidDecision {
    }
}
