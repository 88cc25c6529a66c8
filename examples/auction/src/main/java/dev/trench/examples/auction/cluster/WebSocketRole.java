package dev.trench.examples.auction.cluster;

import dev.trench.examples.auction.AuctionWire;
import dev.trench.examples.auction.api.ApiSnapshotSource;
import dev.trench.examples.auction.ws.TokenVerifier;
import dev.trench.examples.auction.ws.WebSocketNode;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import dev.trench.transport.zmq.ZmqBindConfig;
import dev.trench.transport.zmq.ZmqEventSubscriber;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ws} role: a {@link WebSocketNode} fed by a {@link ZmqEventSubscriber} (a PULL socket every worker's
 * publisher connects to), taking snapshots from the API ({@link ApiSnapshotSource}) and checking session tokens with
 * the API's key.
 *
 * <p>{@link #close()} stops the subscriber first (no more events in), then the node (close frames 1001 to every
 * session), then the snapshot client; the subscriber's ZeroMQ context is terminated with it.
 */
public final class WebSocketRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketRole.class);

    private final WebSocketNode node;
    private final ZmqEventSubscriber subscriber;
    private final ApiSnapshotSource snapshots;
    private final PrometheusMeterRegistry registry;

    private WebSocketRole(WebSocketNode node, ZmqEventSubscriber subscriber, ApiSnapshotSource snapshots,
            PrometheusMeterRegistry registry) {
        this.node = node;
        this.subscriber = subscriber;
        this.snapshots = snapshots;
        this.registry = registry;
    }

    /**
     * Starts the node, then binds the event socket.
     *
     * @param config     the node's settings (port, limits)
     * @param eventsBind where the event socket binds, e.g. {@code tcp://*:23499} ({@code tcp://127.0.0.1:*} picks a
     *                   free port, see {@link #eventsEndpoint()})
     * @param tokens     checks the session tokens of upgrades (the API's key)
     * @param snapshots  the API's auction states; owned by the role from now on (closed with it)
     */
    public static WebSocketRole start(WebSocketNodeConfig config, String eventsBind, TokenVerifier tokens,
            ApiSnapshotSource snapshots) {
        Objects.requireNonNull(eventsBind, "eventsBind");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WebSocketNode node = new WebSocketNode(config, tokens, snapshots, registry);
        try {
            node.start();
        } catch (RuntimeException e) {
            snapshots.close();
            throw e;
        }
        ZmqEventSubscriber subscriber;
        try {
            subscriber = ZmqEventSubscriber.start(ZmqBindConfig.builder("auction-events", eventsBind).build(),
                    AuctionWire.codec(), node::accept, registry);
        } catch (RuntimeException e) {
            node.close();
            snapshots.close();
            throw e;
        }
        LOG.info("websocket node {} on port {}, events on {}", config.name(), node.port(), subscriber.endpoint());
        return new WebSocketRole(node, subscriber, snapshots, registry);
    }

    /** The websocket port bound. */
    public int port() {
        return node.port();
    }

    /** The event endpoint bound, with its actual port (e.g. {@code tcp://127.0.0.1:23499}). */
    public String eventsEndpoint() {
        return subscriber.endpoint();
    }

    /** The node. */
    public WebSocketNode node() {
        return node;
    }

    /** The event subscriber: events received, gaps seen. */
    public ZmqEventSubscriber subscriber() {
        return subscriber;
    }

    /** The node's meters (also at its {@code /metrics}). */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public void close() {
        try {
            subscriber.close();
        } finally {
            try {
                node.close();
            } finally {
                snapshots.close();
            }
        }
    }

    @Override
    public String toString() {
        return "WebSocketRole{" + node.config().name() + ", port " + node.port() + ", events " + eventsEndpoint()
                + "}";
    }
}
