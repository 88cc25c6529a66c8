package dev.trench.examples.auction.loadgen.internal;

import java.math.BigDecimal;

/**
 * Which auction, bidder and kind the {@code n}-th bid of a run has; a pure function of {@code n}, so a run's bids are
 * reproducible and a test can predict them.
 * <ul>
 *   <li>auction {@code n mod M}: the bids go round-robin over the auctions;</li>
 *   <li>bidder {@code (n div M) mod B}: on each auction, the bidders take turns;</li>
 *   <li>bid {@code n} is invalid when {@code floor((n+1)·share) > floor(n·share)} (the share counted in millionths),
 *       so exactly {@code floor(T·share)} of the first {@code T} bids are invalid, evenly spread; invalid bids
 *       alternate between {@link Kind#TOO_LOW} and {@link Kind#MALFORMED}, and the malformed ones cycle through
 *       {@link #MALFORMED_BODIES}.</li>
 * </ul>
 */
public final class BidPlan {
    /** The amount of every too-low bid: well-formed, positive, and below any sensible starting price. */
    public static final BigDecimal TOO_LOW_AMOUNT = new BigDecimal("0.01");

    /** The bodies of malformed bids, in turn: not a number, negative, three decimals, no amount. */
    public static final String[] MALFORMED_BODIES = {
        "{\"amount\":\"twelve\"}",
        "{\"amount\":\"-5.00\"}",
        "{\"amount\":\"12.345\"}",
        "{}",
    };

    private static final long MILLION = 1_000_000L;

    /** What a bid is meant to be. */
    public enum Kind {
        /** At least the auction's highest plus its increment: to be accepted. */
        VALID,
        /** {@link #TOO_LOW_AMOUNT}: well-formed, acked by the API, to be refused by a worker. */
        TOO_LOW,
        /** A body the API must answer 400. */
        MALFORMED
    }

    private final int auctions;
    private final int bidders;
    private final long invalidPerMillion;

    /** A plan over {@code auctions} auctions and {@code bidders} bidders with {@code invalidShare} in [0, 1]. */
    public BidPlan(int auctions, int bidders, double invalidShare) {
        if (auctions < 1 || bidders < 1 || !(invalidShare >= 0 && invalidShare <= 1)) {
            throw new IllegalArgumentException("auctions " + auctions + ", bidders " + bidders + ", invalidShare "
                    + invalidShare);
        }
        this.auctions = auctions;
        this.bidders = bidders;
        this.invalidPerMillion = Math.round(invalidShare * MILLION);
    }

    /** The auction index of bid {@code n}. */
    public int auction(long n) {
        return (int) (n % auctions);
    }

    /** The bidder index of bid {@code n}. */
    public int bidder(long n) {
        return (int) ((n / auctions) % bidders);
    }

    /** The kind of bid {@code n}. */
    public Kind kind(long n) {
        long before = n * invalidPerMillion / MILLION;
        long after = (n + 1) * invalidPerMillion / MILLION;
        if (after == before) {
            return Kind.VALID;
        }
        return before % 2 == 0 ? Kind.TOO_LOW : Kind.MALFORMED;
    }

    /** The body of bid {@code n} when it is {@link Kind#MALFORMED}. */
    public String malformedBody(long n) {
        long invalidIndex = n * invalidPerMillion / MILLION;
        return MALFORMED_BODIES[(int) ((invalidIndex / 2) % MALFORMED_BODIES.length)];
    }

    /** How many of the first {@code total} bids are invalid. */
    public long invalidAmong(long total) {
        return total * invalidPerMillion / MILLION;
    }
}
