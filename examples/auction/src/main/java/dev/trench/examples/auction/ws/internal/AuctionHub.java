package dev.trench.examples.auction.ws.internal;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.ws.SnapshotSource;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import dev.trench.examples.auction.ws.internal.NodeMeters.DropReason;
import dev.trench.examples.auction.ws.internal.NodeMeters.FrameType;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes events to sessions: {@code AuctionRaised} through the auction's {@link AuctionFeed} (ordered, on the
 * auction's executor), {@code BidRejected} straight to the open sessions of the bidder. Safe from any thread; never
 * blocks.
 */
public final class AuctionHub {
    private static final Logger log = LoggerFactory.getLogger(AuctionHub.class);

    private final WebSocketNodeConfig config;
    private final SnapshotSource snapshots;
    private final NodeMeters meters;
    private final Clock clock;
    private final EventExecutor[] executors;
    private final ConcurrentHashMap<String, AuctionFeed> feeds = new ConcurrentHashMap<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Set<Session>> sessionsByUser = new ConcurrentHashMap<>();

    /** A hub whose auctions are spread over the executors of {@code fanout}. */
    public AuctionHub(WebSocketNodeConfig config, SnapshotSource snapshots, NodeMeters meters, Clock clock,
            EventExecutorGroup fanout) {
        this.config = config;
        this.snapshots = snapshots;
        this.meters = meters;
        this.clock = clock;
        List<EventExecutor> list = new ArrayList<>();
        fanout.iterator().forEachRemaining(list::add);
        this.executors = list.toArray(new EventExecutor[0]);
    }

    WebSocketNodeConfig config() {
        return config;
    }

    SnapshotSource snapshots() {
        return snapshots;
    }

    NodeMeters meters() {
        return meters;
    }

    Clock clock() {
        return clock;
    }

    /** Routes one event; see {@code WebSocketNode#accept}. */
    public void accept(EventEnvelope<?> envelope) {
        Object event = envelope.event();
        if (event instanceof AuctionRaised raised) {
            if (raised.auctionId() == null || raised.amount() == null || raised.userId() == null
                    || raised.at() == null || raised.seq() < 1) {
                invalid(envelope, "AuctionRaised");
                return;
            }
            log.debug("event AuctionRaised auction={} seq={} eventId={} correlationId={} causationId={}",
                    raised.auctionId(), raised.seq(), envelope.eventId(), envelope.correlationId(),
                    envelope.causationId());
            AuctionFeed feed = feed(raised.auctionId());
            run(feed, () -> feed.onRaised(raised, envelope.createdAt()));
        } else if (event instanceof BidRejected rejected) {
            if (rejected.auctionId() == null || rejected.userId() == null || rejected.amount() == null
                    || rejected.reason() == null || rejected.at() == null) {
                invalid(envelope, "BidRejected");
                return;
            }
            log.debug("event BidRejected auction={} reason={} eventId={} correlationId={} causationId={}",
                    rejected.auctionId(), rejected.reason(), envelope.eventId(), envelope.correlationId(),
                    envelope.causationId());
            Set<Session> targets = sessionsByUser.get(rejected.userId());
            if (targets == null || targets.isEmpty()) {
                return;
            }
            Outbound out = Outbound.event(Frames.rejected(rejected), FrameType.BID_REJECTED, envelope.createdAt());
            for (Session s : targets) {
                s.send(out);
            }
        } else {
            meters.dropped(DropReason.UNSUPPORTED);
            log.debug("event of unsupported type {} ignored: eventId={}", event.getClass().getName(),
                    envelope.eventId());
        }
    }

    private void invalid(EventEnvelope<?> envelope, String type) {
        meters.dropped(DropReason.INVALID);
        log.warn("invalid {} event dropped (a field is missing): eventId={} correlationId={}", type,
                envelope.eventId(), envelope.correlationId());
    }

    /** A session finished its handshake. */
    void opened(Session session) {
        sessions.add(session);
        String user = session.userId();
        if (user != null) {
            sessionsByUser.compute(user, (u, set) -> {
                Set<Session> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(session);
                return s;
            });
        }
        meters.sessionOpened();
    }

    /** A session's connection closed: it leaves its auctions and its user. Call once, on its event loop. */
    void closed(Session session) {
        if (!sessions.remove(session)) {
            return;
        }
        session.closed();
        for (String auctionId : session.subscriptions()) {
            unsubscribe(session, auctionId);
        }
        session.subscriptions().clear();
        String user = session.userId();
        if (user != null) {
            sessionsByUser.computeIfPresent(user, (u, set) -> {
                set.remove(session);
                return set.isEmpty() ? null : set;
            });
        }
        meters.sessionClosed();
    }

    void subscribe(Session session, String auctionId) {
        AuctionFeed feed = feed(auctionId);
        run(feed, () -> feed.subscribe(session));
    }

    void unsubscribe(Session session, String auctionId) {
        AuctionFeed feed = feeds.get(auctionId);
        if (feed != null) {
            run(feed, () -> feed.unsubscribe(session));
        }
    }

    /**
     * Sends every open session a close frame (1001, going away) and closes it once written.
     *
     * @return the close futures of their channels
     */
    public List<ChannelFuture> goAway() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Session s : sessions) {
            closing.add(s.goAway());
        }
        return closing;
    }

    /** How many sessions are open. */
    public int sessionCount() {
        return sessions.size();
    }

    private AuctionFeed feed(String auctionId) {
        AuctionFeed feed = feeds.get(auctionId);
        if (feed == null) {
            feed = feeds.computeIfAbsent(auctionId, id -> new AuctionFeed(id,
                    executors[Math.floorMod(id.hashCode(), executors.length)], this));
        }
        return feed;
    }

    private static void run(AuctionFeed feed, Runnable task) {
        try {
            feed.executor().execute(task);
        } catch (RejectedExecutionException closing) {
            log.debug("node closing, task for an auction dropped");
        }
    }
}
