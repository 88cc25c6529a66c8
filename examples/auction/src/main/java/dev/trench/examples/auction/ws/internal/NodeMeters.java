package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.ws.WebSocketMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The meters of one node, registered once (every tagged variant up front, so dashboards see zeros). */
public final class NodeMeters {

    /** Why an event was not forwarded. */
    public enum DropReason {
        DUPLICATE("duplicate"), STALE("stale"), OVERFLOW("overflow"), INVALID("invalid"), UNSUPPORTED("unsupported");

        final String tag;

        DropReason(String tag) {
            this.tag = tag;
        }
    }

    /** Why an upgrade was refused. */
    public enum RefusalReason {
        UNAUTHORIZED("unauthorized"), NODE_FULL("node-full"), ADDRESS_FULL("address-full"), CLOSING("closing");

        final String tag;

        RefusalReason(String tag) {
            this.tag = tag;
        }
    }

    /** The kinds of event frames. */
    public enum FrameType {
        AUCTION_RAISED("auction-raised"), BID_REJECTED("bid-rejected"), SNAPSHOT("snapshot");

        final String tag;

        FrameType(String tag) {
            this.tag = tag;
        }
    }

    private final AtomicInteger sessions = new AtomicInteger();
    private final Map<FrameType, Counter> fannedOut = new EnumMap<>(FrameType.class);
    private final Timer fanoutLag;
    private final Counter slowDisconnects;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Counter reordered;
    private final Counter gaps;
    private final Counter snapshotFailures;
    private final Map<ClientMessage.Reason, Counter> clientErrors = new EnumMap<>(ClientMessage.Reason.class);
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);

    /** Registers the meters of the node called {@code node}. */
    public NodeMeters(MeterRegistry registry, String node) {
        Gauge.builder(WebSocketMeters.SESSIONS, sessions, AtomicInteger::get)
                .description("Open websocket sessions").tag(WebSocketMeters.TAG_NODE, node).register(registry);
        for (FrameType type : FrameType.values()) {
            fannedOut.put(type, Counter.builder(WebSocketMeters.FANNED_OUT)
                    .description("Event frames written to a socket").tag(WebSocketMeters.TAG_NODE, node)
                    .tag(WebSocketMeters.TAG_TYPE, type.tag).register(registry));
        }
        fanoutLag = Timer.builder(WebSocketMeters.FANOUT_LAG)
                .description("From an event's creation to its frame written to a socket")
                .tag(WebSocketMeters.TAG_NODE, node).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        slowDisconnects = Counter.builder(WebSocketMeters.SLOW_CLIENT_DISCONNECTS)
                .description("Sessions closed because their outbound buffer overflowed")
                .tag(WebSocketMeters.TAG_NODE, node).register(registry);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, Counter.builder(WebSocketMeters.EVENTS_DROPPED).description("Events not forwarded")
                    .tag(WebSocketMeters.TAG_NODE, node).tag(WebSocketMeters.TAG_REASON, reason.tag)
                    .register(registry));
        }
        reordered = Counter.builder(WebSocketMeters.EVENTS_REORDERED)
                .description("Events that arrived ahead of a missing one and were forwarded in order")
                .tag(WebSocketMeters.TAG_NODE, node).register(registry);
        gaps = Counter.builder(WebSocketMeters.GAPS)
                .description("Sequence gaps not filled within the reorder window")
                .tag(WebSocketMeters.TAG_NODE, node).register(registry);
        snapshotFailures = Counter.builder(WebSocketMeters.SNAPSHOT_FAILURES)
                .description("Snapshot fetches that failed or timed out")
                .tag(WebSocketMeters.TAG_NODE, node).register(registry);
        for (ClientMessage.Reason reason : ClientMessage.Reason.values()) {
            clientErrors.put(reason, Counter.builder(WebSocketMeters.CLIENT_ERRORS)
                    .description("Bad client messages answered with an Error frame")
                    .tag(WebSocketMeters.TAG_NODE, node).tag(WebSocketMeters.TAG_REASON, reason.tag())
                    .register(registry));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refused.put(reason, Counter.builder(WebSocketMeters.UPGRADES_REFUSED)
                    .description("Websocket upgrades refused").tag(WebSocketMeters.TAG_NODE, node)
                    .tag(WebSocketMeters.TAG_REASON, reason.tag).register(registry));
        }
    }

    void sessionOpened() {
        sessions.incrementAndGet();
    }

    void sessionClosed() {
        sessions.decrementAndGet();
    }

    void written(FrameType type, long lagNanos) {
        fannedOut.get(type).increment();
        if (lagNanos >= 0) {
            fanoutLag.record(lagNanos, TimeUnit.NANOSECONDS);
        }
    }

    void slowDisconnect() {
        slowDisconnects.increment();
    }

    void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    void reordered() {
        reordered.increment();
    }

    void gap() {
        gaps.increment();
    }

    void snapshotFailure() {
        snapshotFailures.increment();
    }

    void clientError(ClientMessage.Reason reason) {
        clientErrors.get(reason).increment();
    }

    void refused(RefusalReason reason) {
        refused.get(reason).increment();
    }
}
