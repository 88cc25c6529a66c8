package dev.trench.quickstart;

import java.math.BigDecimal;

/** The domain event a deposit records. */
public record Deposited(String accountId, BigDecimal amount, BigDecimal balance) {
}
