package dev.trench.examples.auction.openauction;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.InvalidCommandException;
import dev.trench.examples.auction.raisebid.RaiseBid;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Opens an auction. Validates itself: id and title present, prices positive with at most two decimals, an end time.
 *
 * @param auctionId     e.g. {@code A1}
 * @param title         what is sold
 * @param startingPrice the lowest acceptable first bid
 * @param minIncrement  how much each bid must add
 * @param endsAt        when bidding closes
 */
public record OpenAuction(String auctionId, String title, BigDecimal startingPrice, BigDecimal minIncrement,
        Instant endsAt) implements Command<Accepted> {

    public static final CommandSpec<OpenAuction> SPEC = CommandSpec.of(OpenAuction.class, "auction.open-auction")
            .handler(OpenAuctionHandler.class)
            .capability(HandledAsynchronously.by(RaiseBid.WORKER))
            .build();

    public OpenAuction {
        InvalidCommandException.requireText("auctionId", auctionId);
        if (auctionId.length() > 64 || !auctionId.matches("[A-Za-z0-9_-]+")) {
            throw new InvalidCommandException("auctionId", "must be 1-64 letters, digits, '-' or '_'");
        }
        InvalidCommandException.requireText("title", title);
        InvalidCommandException.requirePositiveAmount("startingPrice", startingPrice, 2);
        InvalidCommandException.requirePositiveAmount("minIncrement", minIncrement, 2);
        InvalidCommandException.require("endsAt", endsAt);
    }
}
