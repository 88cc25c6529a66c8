package dev.trench.transport.zmq;

import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.spi.EventPublisher;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.zmq.internal.Frames;
import dev.trench.transport.zmq.internal.PushLoop;
import dev.trench.transport.zmq.internal.ZmqMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Publishes every event to every endpoint of its target over ZeroMQ: one PUSH socket per endpoint (a single PUSH
 * socket would give each event to one endpoint only), all owned by one I/O thread. The endpoints are a fixed list or
 * every address of a DNS name, looked up again periodically; sockets are added and removed as the set changes.
 *
 * <p>{@link #publish(EventEnvelope)} encodes the event on the caller's thread and puts it on a bounded queue; the
 * returned stage is already complete: normally once the event is queued (ZeroMQ acknowledges nothing further), or
 * exceptionally with a {@link WireFormatException} when the event cannot be encoded, an {@link OverloadedException}
 * when the queue is full, an {@link IllegalStateException} once closed. An endpoint whose socket queue is full (its
 * subscriber is slow or gone) misses that event; the others still get it. Each event carries this publisher's id and
 * a sequence number, so a subscriber can tell what it missed (see the package documentation for the guarantee).
 *
 * <pre>{@code
 * ZmqEventPublisher events = ZmqEventPublisher.start(
 *         ZmqConnectConfig.builder("auction-events", ZmqTarget.dns("websocket", 23499)).build(), codec, registry);
 * }</pre>
 */
public final class ZmqEventPublisher implements EventPublisher, AutoCloseable {
    private final ZmqConnectConfig config;
    private final WireCodec codec;
    private final ZmqMeters meters;
    private final PushLoop loop;
    private final Map<String, byte[]> typeFrames = new ConcurrentHashMap<>();

    private ZmqEventPublisher(ZmqConnectConfig config, WireCodec codec, @Nullable MeterRegistry registry) {
        this.config = config;
        this.codec = codec;
        this.meters = new ZmqMeters(registry, config.name());
        this.loop = new PushLoop(PushLoop.Mode.FAN_OUT, config, meters, TransportMeters.KIND_EVENT, "pub");
    }

    /**
     * Starts a publisher: resolves the target once, connects to every endpoint, starts the I/O thread.
     *
     * @param registry where to record the {@link TransportMeters}; {@code null} for none
     */
    public static ZmqEventPublisher start(ZmqConnectConfig config, WireCodec codec,
            @Nullable MeterRegistry registry) {
        ZmqEventPublisher publisher = new ZmqEventPublisher(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(codec, "codec"), registry);
        publisher.loop.start();
        return publisher;
    }

    @Override
    public CompletionStage<Void> publish(EventEnvelope<?> event) {
        Objects.requireNonNull(event, "event");
        if (loop.isClosed()) {
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_CLOSED);
            return CompletableFuture.failedStage(new IllegalStateException("event publisher '" + config.name()
                    + "' is closed"));
        }
        byte[] body;
        String type;
        try {
            type = codec.eventType(event);
            body = codec.encodeEvent(event);
        } catch (WireFormatException e) {
            meters.reject(TransportMeters.DIRECTION_OUT, e.reason().tag());
            return CompletableFuture.failedStage(e);
        }
        byte[] typeFrame = typeFrames.computeIfAbsent(type, Frames::type);
        if (!loop.offer(new PushLoop.Outgoing(typeFrame, body, null))) {
            if (loop.isClosed()) {
                meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_CLOSED);
                return CompletableFuture.failedStage(new IllegalStateException("event publisher '" + config.name()
                        + "' is closed"));
            }
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_OVERLOADED);
            return CompletableFuture.failedStage(new OverloadedException("event publisher '" + config.name()
                    + "': queue full (" + config.queueCapacity() + " events waiting)"));
        }
        return CompletableFuture.completedStage(null);
    }

    /** The endpoints events go to now. */
    public Set<String> endpoints() {
        return loop.endpoints();
    }

    /** The random id in this publisher's stream frames; a new one each start. */
    public UUID publisherId() {
        return loop.publisherId();
    }

    /** Events waiting for the I/O thread. */
    public int queued() {
        return loop.queued();
    }

    /** The configuration. */
    public ZmqConnectConfig config() {
        return config;
    }

    /**
     * Stops: events already queued are still sent (best effort), sockets close with the configured linger, and every
     * thread of this publisher has ended when this returns. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return "ZmqEventPublisher{" + config.name() + " -> " + config.target() + ", endpoints=" + endpoints() + "}";
    }
}
