package dev.trench.examples.auction.cli;

import dev.trench.bus.InvalidCommandException;
import dev.trench.examples.auction.openauction.OpenAuction;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code auction.jar send open-auction --auction A1 --title Lamp --starting-price 10 --min-increment 0.50 --ends-in PT10M}. */
@Command(name = "open-auction", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sends an OpenAuction: opens an auction that ends after the given duration.",
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class OpenAuctionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    SendCommand send;

    @Option(names = "--auction", defaultValue = "${env:AUCTION_SEND_AUCTION}", paramLabel = "ID",
            description = "The new auction's id: letters, digits, '-' or '_' (required). Env AUCTION_SEND_AUCTION.")
    String auction;

    @Option(names = "--title", defaultValue = "${env:AUCTION_SEND_TITLE}", paramLabel = "TEXT",
            description = "What is sold (required). Env AUCTION_SEND_TITLE.")
    String title;

    @Option(names = "--starting-price", defaultValue = "${env:AUCTION_SEND_STARTING_PRICE}", paramLabel = "DECIMAL",
            description = "The lowest acceptable first bid (required). Env AUCTION_SEND_STARTING_PRICE.")
    BigDecimal startingPrice;

    @Option(names = "--min-increment", defaultValue = "${env:AUCTION_SEND_MIN_INCREMENT:-0.50}",
            paramLabel = "DECIMAL", description = "How much each bid must add. Env AUCTION_SEND_MIN_INCREMENT."
                    + " Default: ${DEFAULT-VALUE}.")
    BigDecimal minIncrement;

    @Option(names = "--ends-in", defaultValue = "${env:AUCTION_SEND_ENDS_IN:-PT10M}", paramLabel = "DURATION",
            description = "How long from now the auction stays open (ISO-8601). Env AUCTION_SEND_ENDS_IN."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration endsIn;

    @Override
    public Integer call() {
        return send.send(spec, () -> {
            if (endsIn == null || endsIn.isNegative() || endsIn.isZero()) {
                throw new InvalidCommandException("endsAt", "--ends-in must be a positive duration, was " + endsIn);
            }
            return new OpenAuction(auction, title, startingPrice, minIncrement, Instant.now().plus(endsIn));
        });
    }
}
