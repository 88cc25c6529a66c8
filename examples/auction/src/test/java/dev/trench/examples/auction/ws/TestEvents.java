package dev.trench.examples.auction.ws;

import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/** Events as the ZeroMQ subscriber would hand them to a node. */
final class TestEvents {
    static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");
    private static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());

    private TestEvents() {
    }

    static <E> EventEnvelope<E> envelope(E event) {
        MessageId command = IDS.get();
        return new EventEnvelope<>(IDS.get(), command, command, "auction.raise-bid", Instant.now(), Map.of(), event);
    }

    /** An accepted bid: amount {@code 10 + seq} with two decimals, by {@code user}. */
    static EventEnvelope<AuctionRaised> raised(String auctionId, long seq, String user) {
        return envelope(new AuctionRaised(auctionId, amount(seq), user, seq, AT.plusSeconds(seq)));
    }

    static EventEnvelope<AuctionRaised> raised(String auctionId, long seq) {
        return raised(auctionId, seq, "u" + seq);
    }

    static BigDecimal amount(long seq) {
        return new BigDecimal(10 + seq).setScale(2);
    }

    static EventEnvelope<BidRejected> rejected(String auctionId, String user, String commandId) {
        return envelope(new BidRejected(auctionId, user, new BigDecimal("9.50"), "bid-too-low",
                "bid 9.50 is below the minimum 12.00", commandId, AT));
    }

    static AuctionSnapshot snapshot(String auctionId, long seq) {
        return new AuctionSnapshot(auctionId, "Lamp " + auctionId, seq == 0 ? null : amount(seq),
                seq == 0 ? null : "u" + seq, seq, AuctionSnapshot.OPEN, Instant.parse("2099-01-01T00:00:00Z"));
    }
}
