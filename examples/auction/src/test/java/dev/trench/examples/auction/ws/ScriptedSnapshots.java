package dev.trench.examples.auction.ws;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SnapshotSource} the test drives: answers at once from {@link #current} (empty for an unknown auction),
 * or, after {@link #hold()}, hands each fetch to the test as a pending future to complete when it wants.
 */
final class ScriptedSnapshots implements SnapshotSource {
    /** A fetch the test answers. */
    record Pending(String auctionId, CompletableFuture<Optional<AuctionSnapshot>> answer) {
    }

    final Map<String, AuctionSnapshot> current = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
    private final BlockingQueue<Pending> held = new LinkedBlockingQueue<>();
    private volatile boolean holding;

    /** From now on, fetches wait for the test ({@link #nextHeld()}). */
    void hold() {
        holding = true;
    }

    /** From now on, fetches are answered at once from {@link #current}. */
    void release() {
        holding = false;
    }

    /** The next fetch that waits for an answer. */
    Pending nextHeld() throws InterruptedException {
        Pending p = held.poll(WsTestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (p == null) {
            throw new AssertionError("no snapshot fetch within " + WsTestClient.WAIT);
        }
        return p;
    }

    int fetchCount(String auctionId) {
        AtomicInteger n = fetches.get(auctionId);
        return n == null ? 0 : n.get();
    }

    @Override
    public CompletionStage<Optional<AuctionSnapshot>> fetch(String auctionId) {
        fetches.computeIfAbsent(auctionId, id -> new AtomicInteger()).incrementAndGet();
        if (holding) {
            CompletableFuture<Optional<AuctionSnapshot>> answer = new CompletableFuture<>();
            held.add(new Pending(auctionId, answer));
            return answer;
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(current.get(auctionId)));
    }
}
