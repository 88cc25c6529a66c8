package dev.trench.examples.auction.store;

/**
 * A store that could not do what was asked for a reason other than the auction's rules: Redis unreachable, timed
 * out, refused the credentials or answered with an error. Unchecked, and not a refusal: the bus' retry middleware
 * retries it like any other failure. Its message names the store's address (never a password) and the operation.
 */
public class AuctionStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuctionStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public AuctionStoreException(String message) {
        super(message);
    }
}
