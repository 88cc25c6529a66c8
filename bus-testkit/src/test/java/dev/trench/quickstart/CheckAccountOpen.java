package dev.trench.quickstart;

import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.HandlerContext;
import jakarta.inject.Inject;
import java.math.BigDecimal;

/** Refuses deposits to accounts that are not open; a refusal is never retried. */
public final class CheckAccountOpen implements CommandHandler<Deposit, BigDecimal> {
    private final Accounts accounts;

    @Inject
    public CheckAccountOpen(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public void handle(Deposit command, HandlerContext<BigDecimal> context) {
        if (!accounts.isOpen(command.accountId())) {
            throw new CommandRejectedException("account-closed", "account " + command.accountId() + " is not open");
        }
    }
}
