package dev.trench.examples.auction.ws;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where a websocket node gets the current state of an auction: when a client subscribes to an auction the node
 * knows nothing about yet, and when the node sees a gap in an auction's sequence numbers (it missed an event). In the
 * cluster this is an HTTP {@code GET /auctions/{id}} to the API; in the embedded {@code all} role it can read the
 * in-memory store directly.
 *
 * <p>{@link #fetch} must not block its caller (a node thread): return a stage that completes later, on any thread.
 * The node gives up on a fetch after {@link WebSocketNodeConfig#snapshotTimeout()} and treats it as failed.
 */
@FunctionalInterface
public interface SnapshotSource {

    /**
     * Fetches the current state of an auction.
     *
     * @param auctionId the auction
     * @return a stage completing with the state, with empty when the auction is unknown, or exceptionally when the
     *         state could not be read
     */
    CompletionStage<Optional<AuctionSnapshot>> fetch(String auctionId);
}
