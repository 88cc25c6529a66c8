package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.ws.AuctionSnapshot;
import dev.trench.examples.auction.ws.internal.NodeMeters.DropReason;
import dev.trench.examples.auction.ws.internal.NodeMeters.FrameType;
import io.netty.util.concurrent.EventExecutor;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one auction on one node: the last sequence number forwarded, the latest known state, the subscribed
 * sessions, the events held behind a gap and the snapshot fetch in flight.
 *
 * <p><b>Threading.</b> Every method runs on {@link #executor()}, one single-threaded executor the auction is pinned to
 * (by the hash of its id) for the node's life; the state needs no lock, and everything that touches it (an event, a
 * subscribe, an unsubscribe, a snapshot arriving, a timer) is a task on that executor, so it happens in one order.
 * A snapshot fetch completes on any thread and hops back onto the executor before it touches anything; a fetch that
 * timed out or was superseded is recognised by its generation number and ignored.
 *
 * <p><b>Ordering.</b> {@code last} is the sequence number of the last event forwarded (or of the snapshot the node
 * resynchronised to). An event with {@code seq <= last} is dropped ({@code duplicate} when equal, {@code stale} when
 * lower). {@code seq == last + 1} is forwarded to every subscriber, then any held events that now follow. {@code seq >
 * last + 1} is held (sorted, deduplicated) behind the gap: events from different workers may overtake each other, so
 * the node first waits {@code reorderWindow} for the missing ones. If the gap is still open then, the node fetches a
 * snapshot and sends it to every subscriber whose view is older, sets {@code last} to the snapshot's sequence number,
 * drops held events it covers and forwards the rest in order; a gap the snapshot did not cover either (the source was
 * behind) is skipped rather than waited for again, since the newer events carry the newer state. With no subscriber a
 * gap is skipped at once: nobody needs a snapshot. The first event for an auction the node has no state for sets the
 * baseline.
 *
 * <p><b>Subscribing.</b> When the node has the auction's state (a snapshot, updated by every forwarded event), a new
 * subscriber gets it as a {@code Snapshot} at once and then every event after {@code last}. Otherwise the subscriber
 * waits while one fetch runs (one per auction however many subscribers arrive): events forwarded meanwhile are not
 * sent to it; when the snapshot comes, it gets the state at {@code last} (the snapshot merged with the newest event
 * when the snapshot is older, or the snapshot itself when it is newer, with {@code last} moved up to it and every
 * other subscriber brought up to date as well). So every subscriber sees a {@code Snapshot} first and then only newer
 * events, each once, in order. If the fetch fails (or the auction is unknown to the source), waiting subscribers get
 * the newest event forwarded while they waited, if any, then the events after {@code last}.
 */
final class AuctionFeed {
    private static final Logger log = LoggerFactory.getLogger(AuctionFeed.class);
    private static final long UNKNOWN = -1;

    private final String auctionId;
    private final EventExecutor executor;
    private final AuctionHub hub;

    private long last = UNKNOWN;
    private @Nullable AuctionRaised lastRaised;
    private @Nullable AuctionSnapshot state;
    /** Subscribed sessions; {@code true} while a session waits for its first snapshot (it gets no events yet). */
    private final Map<Session, Boolean> subscribers = new HashMap<>();
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private int holeGeneration;
    private @Nullable Future<?> holeTimer;
    private boolean resyncWanted;
    private int fetchGeneration;
    private @Nullable Fetch fetch;

    private record Held(AuctionRaised event, Instant createdAt) {
    }

    private record Fetch(int generation, boolean resync, Future<?> timeout) {
    }

    AuctionFeed(String auctionId, EventExecutor executor, AuctionHub hub) {
        this.auctionId = auctionId;
        this.executor = executor;
        this.hub = hub;
    }

    EventExecutor executor() {
        return executor;
    }

    // ---- events ---------------------------------------------------------------------------------------------------

    void onRaised(AuctionRaised event, Instant createdAt) {
        long seq = event.seq();
        if (last == UNKNOWN) {
            forward(event, createdAt);
            return;
        }
        if (seq <= last) {
            hub.meters().dropped(seq == last ? DropReason.DUPLICATE : DropReason.STALE);
            return;
        }
        if (seq == last + 1) {
            forward(event, createdAt);
            if (!held.isEmpty()) {
                settleHeld(false);
            }
            return;
        }
        boolean newHole = held.isEmpty();
        if (held.putIfAbsent(seq, new Held(event, createdAt)) != null) {
            hub.meters().dropped(DropReason.DUPLICATE);
            return;
        }
        if (newHole) {
            holeOpened();
        } else if (held.size() > hub.config().maxHeldEvents()) {
            if (fetch != null && fetch.resync()) {
                held.pollFirstEntry();
                hub.meters().dropped(DropReason.OVERFLOW);
            } else {
                log.info("auction {}: {} events held behind a gap after {}, resynchronising now", auctionId,
                        held.size(), last);
                resync();
            }
        }
    }

    private void holeOpened() {
        if (subscribers.isEmpty()) {
            hub.meters().gap();
            settleHeld(true);
            return;
        }
        if (hub.config().reorderWindow().isZero()) {
            resync();
            return;
        }
        int generation = ++holeGeneration;
        holeTimer = schedule(() -> reorderWindowElapsed(generation), hub.config().reorderWindow().toNanos());
    }

    private void reorderWindowElapsed(int generation) {
        if (generation != holeGeneration || held.isEmpty()) {
            return;
        }
        holeTimer = null;
        if (subscribers.isEmpty()) {
            hub.meters().gap();
            settleHeld(true);
        } else {
            resync();
        }
    }

    /** The gap outlived the reorder window (or too many events are held): fetch a snapshot. */
    private void resync() {
        cancelHoleTimer();
        hub.meters().gap();
        log.info("auction {}: gap after seq {} (next held {}), fetching a snapshot", auctionId, last,
                held.isEmpty() ? "none" : held.firstKey());
        if (fetch == null) {
            startFetch(true);
        } else {
            // the fetch in flight was asked before this gap was seen: another one follows it if the gap outlives it
            resyncWanted = true;
        }
    }

    /**
     * Drops held events the node has passed and forwards those that follow {@code last}; with {@code skipGaps}, also
     * forwards the rest in order across the gaps. Closes the hole when nothing is held any more.
     */
    private void settleHeld(boolean skipGaps) {
        while (!held.isEmpty()) {
            Map.Entry<Long, Held> first = held.firstEntry();
            long seq = first.getKey();
            if (seq <= last) {
                held.pollFirstEntry();
                hub.meters().dropped(DropReason.STALE);
            } else if (seq == last + 1 || skipGaps) {
                held.pollFirstEntry();
                if (seq == last + 1 && !skipGaps) {
                    hub.meters().reordered();
                }
                forward(first.getValue().event(), first.getValue().createdAt());
            } else {
                return;
            }
        }
        cancelHoleTimer();
        resyncWanted = false;
    }

    private void cancelHoleTimer() {
        holeGeneration++;
        if (holeTimer != null) {
            holeTimer.cancel(false);
            holeTimer = null;
        }
    }

    private void forward(AuctionRaised event, Instant createdAt) {
        last = event.seq();
        lastRaised = event;
        if (subscribers.isEmpty()) {
            return;
        }
        Outbound out = Outbound.event(Frames.raised(event), FrameType.AUCTION_RAISED, createdAt);
        for (Map.Entry<Session, Boolean> e : subscribers.entrySet()) {
            if (!e.getValue()) {
                e.getKey().send(out);
            }
        }
    }

    // ---- subscribers ----------------------------------------------------------------------------------------------

    void subscribe(Session session) {
        if (subscribers.containsKey(session)) {
            return;
        }
        AuctionSnapshot view = view();
        if (view != null) {
            subscribers.put(session, false);
            session.send(Outbound.snapshot(Frames.snapshot(view)));
            return;
        }
        subscribers.put(session, true);
        if (fetch == null) {
            startFetch(false);
        }
    }

    void unsubscribe(Session session) {
        subscribers.remove(session);
    }

    /** The auction's state at {@code last}, or {@code null} when the node never had a snapshot of it. */
    private @Nullable AuctionSnapshot view() {
        if (state == null) {
            return null;
        }
        AuctionSnapshot v = state;
        if (lastRaised != null && lastRaised.seq() > v.seq()) {
            v = v.withBid(lastRaised.amount(), lastRaised.userId(), lastRaised.seq());
        }
        return v.asOf(hub.clock().instant());
    }

    // ---- snapshots ------------------------------------------------------------------------------------------------

    private void startFetch(boolean resync) {
        int generation = ++fetchGeneration;
        Future<?> timeout = schedule(() -> fetched(generation, null, new TimeoutException(
                "no snapshot within " + hub.config().snapshotTimeout())), hub.config().snapshotTimeout().toNanos());
        fetch = new Fetch(generation, resync, timeout);
        if (resync) {
            resyncWanted = false;
        }
        CompletionStage<Optional<AuctionSnapshot>> stage;
        try {
            stage = hub.snapshots().fetch(auctionId);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new NullPointerException("SnapshotSource returned null"));
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((result, error) -> {
            try {
                executor.execute(() -> fetched(generation, result, error));
            } catch (RejectedExecutionException closing) {
                // the node is closing
            }
        });
    }

    private void fetched(int generation, @Nullable Optional<AuctionSnapshot> result, @Nullable Throwable error) {
        if (fetch == null || fetch.generation() != generation) {
            return;
        }
        Fetch done = fetch;
        fetch = null;
        done.timeout().cancel(false);
        AuctionSnapshot snapshot = null;
        if (error != null) {
            hub.meters().snapshotFailure();
            log.warn("auction {}: snapshot fetch failed: {}", auctionId, error.toString());
        } else if (result != null && result.isPresent()) {
            snapshot = result.get();
            if (!snapshot.auctionId().equals(auctionId)) {
                hub.meters().snapshotFailure();
                log.warn("auction {}: snapshot source answered for another auction, {}", auctionId,
                        snapshot.auctionId());
                snapshot = null;
            }
        }
        if (snapshot != null) {
            apply(snapshot);
        } else {
            releaseWaiting();
        }
        if (!held.isEmpty()) {
            // A resync fetch settles its gap for good (skipping what the snapshot did not cover). A fetch asked before
            // the gap was seen may have closed it; if not, a resync fetch follows, or the reorder window runs on.
            settleHeld(done.resync() && !resyncWanted);
            if (!held.isEmpty() && resyncWanted) {
                startFetch(true);
            }
        }
    }

    private void apply(AuctionSnapshot snapshot) {
        if (state == null || snapshot.seq() >= state.seq()) {
            state = snapshot;
        }
        boolean newer = last == UNKNOWN || snapshot.seq() > last;
        if (newer) {
            last = snapshot.seq();
            lastRaised = null;
        }
        AuctionSnapshot view = view();
        if (view == null) {
            return;
        }
        // Waiting subscribers need it in any case; when it moved `last` up, everyone else is behind it as well.
        Outbound out = Outbound.snapshot(Frames.snapshot(view));
        for (Map.Entry<Session, Boolean> e : subscribers.entrySet()) {
            if (e.getValue() || newer) {
                e.getKey().send(out);
                e.setValue(false);
            }
        }
    }

    /**
     * No snapshot to be had: waiting subscribers get the newest event forwarded while they waited (it carries the
     * current highest bid and leader), if any, and then what comes after {@code last}.
     */
    private void releaseWaiting() {
        Outbound newest = lastRaised == null ? null
                : Outbound.replay(Frames.raised(lastRaised), FrameType.AUCTION_RAISED);
        for (Map.Entry<Session, Boolean> e : subscribers.entrySet()) {
            if (e.getValue()) {
                e.setValue(false);
                if (newest != null) {
                    e.getKey().send(newest);
                }
            }
        }
    }

    private Future<?> schedule(Runnable task, long nanos) {
        return executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
}
