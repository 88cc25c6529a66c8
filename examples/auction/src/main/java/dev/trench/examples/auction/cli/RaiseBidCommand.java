package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.raisebid.RaiseBid;
import java.math.BigDecimal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code auction.jar send raise-bid --auction A1 --amount 12.50 --user alice}. */
@Command(name = "raise-bid", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sends a RaiseBid: the user bids the amount on the auction.",
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class RaiseBidCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    SendCommand send;

    @Option(names = "--auction", defaultValue = "${env:AUCTION_SEND_AUCTION}", paramLabel = "ID",
            description = "The auction id (required). Env AUCTION_SEND_AUCTION.")
    String auction;

    @Option(names = "--amount", defaultValue = "${env:AUCTION_SEND_AMOUNT}", paramLabel = "DECIMAL",
            description = "The bid, a decimal such as 12.50 (required). Env AUCTION_SEND_AMOUNT.")
    BigDecimal amount;

    @Option(names = "--user", defaultValue = "${env:AUCTION_SEND_USER}", paramLabel = "USER",
            description = "The bidder's user id (required). Env AUCTION_SEND_USER.")
    String user;

    @Override
    public Integer call() {
        return send.send(spec, () -> new RaiseBid(auction, user, amount));
    }
}
