package dev.trench.quickstart;

// README:command
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import java.math.BigDecimal;

/** A command: an immutable record that validates itself. Its result type is the account's new balance. */
public record Deposit(String accountId, BigDecimal amount) implements Command<BigDecimal> {

    /** Its handlers, in order, and its capabilities: declared once, next to the command. */
    public static final CommandSpec<Deposit> SPEC = CommandSpec.of(Deposit.class, "bank.deposit")
            .handler(CheckAccountOpen.class)
            .handler(CreditAccount.class)
            .capability(RetryOnFail.upTo(3)
                    .withDelay(RetryDelay.exponential(ofMillis(100), 2.0, ofSeconds(5))))
            .build();

    public Deposit {
        InvalidCommandException.requireText("accountId", accountId);
        InvalidCommandException.requirePositiveAmount("amount", amount, 2);
    }
}
// README:end
