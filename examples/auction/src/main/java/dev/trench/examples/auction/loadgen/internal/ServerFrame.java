package dev.trench.examples.auction.loadgen.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * One frame a websocket node sent, reduced to what the load generator reads: its type, the auction, the amount (of an
 * {@code AuctionRaised} or {@code BidRejected}), the bidder, the sequence number (of an {@code AuctionRaised} or a
 * {@code Snapshot}), the command id (of a {@code BidRejected}) and the reason (of a {@code BidRejected} or an
 * {@code Error}). Parsed with Jackson's streaming parser: the client threads read every frame of every client.
 *
 * @param type      the frame's {@code type}
 * @param auctionId its {@code auctionId}, if any
 * @param amount    its {@code amount}, if any and a decimal
 * @param userId    its {@code userId}, if any
 * @param seq       its {@code seq}, or -1
 * @param commandId its {@code commandId}, if any
 * @param reason    its {@code reason}, if any
 */
public record ServerFrame(Type type, @Nullable String auctionId, @Nullable BigDecimal amount, @Nullable String userId,
        long seq, @Nullable String commandId, @Nullable String reason) {

    private static final JsonFactory JSON = new JsonFactory();

    /** The frame types of the node's protocol; anything else is {@link #OTHER}. */
    public enum Type {
        AUCTION_RAISED, BID_REJECTED, SNAPSHOT, ERROR, OTHER;

        static Type of(@Nullable String name) {
            if (name == null) {
                return OTHER;
            }
            return switch (name) {
                case "AuctionRaised" -> AUCTION_RAISED;
                case "BidRejected" -> BID_REJECTED;
                case "Snapshot" -> SNAPSHOT;
                case "Error" -> ERROR;
                default -> OTHER;
            };
        }
    }

    /**
     * Parses one text frame (UTF-8 JSON object). Unknown fields and nested values are skipped.
     *
     * @throws IOException when it is not a JSON object, or a known field has the wrong shape (a {@code seq} that is
     *                     not an integer, an {@code amount} that is not a decimal string)
     */
    public static ServerFrame parse(byte[] utf8) throws IOException {
        String type = null;
        String auctionId = null;
        BigDecimal amount = null;
        String userId = null;
        long seq = -1;
        String commandId = null;
        String reason = null;
        try (JsonParser p = JSON.createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a frame must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = text(p, value);
                    case "auctionId" -> auctionId = text(p, value);
                    case "userId" -> userId = text(p, value);
                    case "commandId" -> commandId = text(p, value);
                    case "reason" -> reason = text(p, value);
                    case "amount" -> {
                        String s = text(p, value);
                        if (s != null) {
                            try {
                                amount = new BigDecimal(s);
                            } catch (NumberFormatException e) {
                                throw new IOException("amount is not a decimal: " + s, e);
                            }
                        }
                    }
                    case "seq" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new IOException("seq is not an integer");
                        }
                        seq = p.getLongValue();
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("a frame must be one JSON object");
            }
        }
        return new ServerFrame(Type.of(type), auctionId, amount, userId, seq, commandId, reason);
    }

    private static @Nullable String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }
}
