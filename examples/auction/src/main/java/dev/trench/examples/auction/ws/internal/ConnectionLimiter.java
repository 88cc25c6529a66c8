package dev.trench.examples.auction.ws.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts websocket sessions per node and per remote address. A slot is taken when an upgrade is let through and
 * given back when its connection closes. Thread-safe.
 */
public final class ConnectionLimiter {

    /** The answer to {@link #tryAcquire}. */
    public enum Verdict {
        ACCEPTED, NODE_FULL, ADDRESS_FULL
    }

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** A limiter of {@code maxTotal} sessions, at most {@code maxPerAddress} of them from one address. */
    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot for a connection from {@code address} when both limits allow it. */
    public Verdict tryAcquire(InetAddress address) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Verdict.NODE_FULL;
        }
        boolean[] taken = {false};
        perAddress.compute(address, (a, n) -> {
            int current = n == null ? 0 : n;
            if (current >= maxPerAddress) {
                return n;
            }
            taken[0] = true;
            return current + 1;
        });
        if (!taken[0]) {
            total.decrementAndGet();
            return Verdict.ADDRESS_FULL;
        }
        return Verdict.ACCEPTED;
    }

    /** Gives back a slot taken for {@code address}. */
    public void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** Slots in use. */
    public int inUse() {
        return total.get();
    }
}
