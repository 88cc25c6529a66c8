package dev.trench.quickstart;

// README:handler
import dev.trench.bus.CommandHandler;
import dev.trench.bus.HandlerContext;
import jakarta.inject.Inject;
import java.math.BigDecimal;

/** A handler: one responsibility, its dependencies injected by Guice. */
public final class CreditAccount implements CommandHandler<Deposit, BigDecimal> {
    private final Accounts accounts;

    @Inject
    public CreditAccount(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public void handle(Deposit command, HandlerContext<BigDecimal> context) {
        BigDecimal balance = accounts.credit(command.accountId(), command.amount());
        context.record(new Deposited(command.accountId(), command.amount(), balance)); // published after success
        context.result(balance);                                                       // the command's result
    }
}
// README:end
