package dev.trench.transport;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.InvalidCommandException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Commands and events used by the codec tests. */
final class WireFixtures {
    private WireFixtures() {
    }

    /** A bid, validating itself like a real command. */
    record RaiseBid(String auctionId, String userId, BigDecimal amount) implements Command<Accepted> {
        RaiseBid {
            InvalidCommandException.requireText("auctionId", auctionId);
            InvalidCommandException.requireText("userId", userId);
            InvalidCommandException.requirePositiveAmount("amount", amount, 2);
        }
    }

    /** A command with a nested list, for paths of invalid nested values. */
    record CloseAuctions(List<String> auctionIds, int batch) implements Command<Void> {
        CloseAuctions {
            auctionIds = List.copyOf(InvalidCommandException.require("auctionIds", auctionIds));
        }
    }

    /** An event with the value types events carry. */
    record AuctionRaised(String auctionId, BigDecimal amount, long sequence, Instant at) {
        AuctionRaised {
            Objects.requireNonNull(auctionId, "auctionId");
        }
    }

    /** A command class never registered. */
    record Unregistered(String value) implements Command<Void> {
    }

    static final CommandSpec<RaiseBid> RAISE_BID = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
            .handler((RaiseBid c, dev.trench.bus.HandlerContext<Accepted> ctx) -> { })
            .build();

    static final CommandSpec<CloseAuctions> CLOSE_AUCTIONS = CommandSpec.of(CloseAuctions.class, "auction.close")
            .handler((CloseAuctions c, dev.trench.bus.HandlerContext<Void> ctx) -> { })
            .build();

    static TypeRegistry registry() {
        return TypeRegistry.builder()
                .registerCommands(List.of(RAISE_BID, CLOSE_AUCTIONS))
                .registerEvent("auction.raised", AuctionRaised.class)
                .build();
    }
}
