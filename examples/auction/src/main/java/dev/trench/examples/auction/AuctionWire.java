package dev.trench.examples.auction;

import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireCodec;

/**
 * The auction cluster's wire format: the logical type names every role reads and writes, and the codec built on
 * them. The API, the workers, the websocket nodes and the {@code send} role all use this one registry, so a name
 * means the same class everywhere.
 *
 * <table>
 * <caption>Type names</caption>
 * <tr><th>name</th><th>class</th><th>travels</th></tr>
 * <tr><td>{@code auction.raise-bid}</td><td>{@link RaiseBid}</td><td>API → worker (HTTP)</td></tr>
 * <tr><td>{@code auction.open-auction}</td><td>{@link OpenAuction}</td><td>API → worker (HTTP)</td></tr>
 * <tr><td>{@value #AUCTION_RAISED}</td><td>{@link AuctionRaised}</td><td>worker → websocket nodes (ZeroMQ)</td></tr>
 * <tr><td>{@value #BID_REJECTED}</td><td>{@link BidRejected}</td><td>worker → websocket nodes (ZeroMQ)</td></tr>
 * </table>
 */
public final class AuctionWire {
    /** The type name of {@link AuctionRaised} events. */
    public static final String AUCTION_RAISED = "auction.raised";
    /** The type name of {@link BidRejected} events. */
    public static final String BID_REJECTED = "auction.bid-rejected";

    private static final TypeRegistry TYPES = TypeRegistry.builder()
            .registerCommand(RaiseBid.SPEC)
            .registerCommand(OpenAuction.SPEC)
            .registerEvent(AUCTION_RAISED, AuctionRaised.class)
            .registerEvent(BID_REJECTED, BidRejected.class)
            .build();

    private AuctionWire() {
    }

    /** The registry of the auction's commands and events. */
    public static TypeRegistry types() {
        return TYPES;
    }

    /** A codec with the wire format's default limits (64 KiB messages). Immutable and thread-safe: share it. */
    public static WireCodec codec() {
        return WireCodec.of(TYPES);
    }
}
