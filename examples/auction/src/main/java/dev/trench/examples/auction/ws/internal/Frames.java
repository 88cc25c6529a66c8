package dev.trench.examples.auction.ws.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.ws.AuctionSnapshot;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Encodes the frames a node sends, as UTF-8 JSON. Amounts are decimal strings ({@code "12.50"}), instants ISO-8601.
 * Each event is encoded once and the same bytes are written to every session.
 */
final class Frames {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    record RaisedFrame(String type, String auctionId, String amount, String userId, long seq, Instant at) {
    }

    record RejectedFrame(String type, String auctionId, String amount, String reason, String message,
            String commandId, Instant at) {
    }

    record SnapshotFrame(String type, String auctionId, String title, @Nullable String highest,
            @Nullable String leader, long seq, String status, Instant endsAt) {
    }

    record ErrorFrame(String type, String reason, String message) {
    }

    private Frames() {
    }

    static byte[] raised(AuctionRaised e) {
        return write(new RaisedFrame("AuctionRaised", e.auctionId(), money(e.amount()), e.userId(), e.seq(), e.at()));
    }

    static byte[] rejected(BidRejected r) {
        return write(new RejectedFrame("BidRejected", r.auctionId(), money(r.amount()), r.reason(), r.message(),
                r.commandId(), r.at()));
    }

    static byte[] snapshot(AuctionSnapshot s) {
        return write(new SnapshotFrame("Snapshot", s.auctionId(), s.title(),
                s.highest() == null ? null : money(s.highest()), s.leader(), s.seq(), s.status(), s.endsAt()));
    }

    static byte[] error(ClientMessage.Reason reason, String message) {
        return write(new ErrorFrame("Error", reason.tag(), message));
    }

    private static @Nullable String money(@Nullable BigDecimal amount) {
        return amount == null ? null : amount.toPlainString();
    }

    private static byte[] write(Object frame) {
        try {
            return MAPPER.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
    }
}
