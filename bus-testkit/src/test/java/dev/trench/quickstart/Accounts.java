package dev.trench.quickstart;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The repository the quick start's handlers get injected: accounts in memory, one can be made to fail. */
public class Accounts {
    private final Map<String, BigDecimal> balances = new ConcurrentHashMap<>();
    private volatile int failuresLeft;

    public void open(String accountId) {
        balances.putIfAbsent(accountId, BigDecimal.ZERO);
    }

    public boolean isOpen(String accountId) {
        return balances.containsKey(accountId);
    }

    /** The next {@code n} credits fail as if the database were down. */
    public void failNextCredits(int n) {
        failuresLeft = n;
    }

    public BigDecimal credit(String accountId, BigDecimal amount) {
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new IllegalStateException("database unavailable");
        }
        return balances.merge(accountId, amount, BigDecimal::add);
    }
}
