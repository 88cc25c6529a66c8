package dev.trench.transport.zmq;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.internal.Previews;
import dev.trench.transport.zmq.internal.Frames;
import dev.trench.transport.zmq.internal.LogGate;
import dev.trench.transport.zmq.internal.PullLoop;
import dev.trench.transport.zmq.internal.Streams;
import dev.trench.transport.zmq.internal.ZmqMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the events of every {@link ZmqEventPublisher} that connects to it: one PULL socket that binds (e.g.
 * {@code tcp://*:23499}), one receive thread that decodes each event with the {@link WireCodec} and hands it to the
 * consumer, in the order each publisher sent them.
 *
 * <p>A message that cannot be read (wrong frames, malformed or unknown JSON, a refused field) is counted under
 * {@code trench.transport.rejects} with its reason, logged with what identifies it (type frame, size, publisher,
 * sequence number, first bytes) and skipped; the socket and every publisher's connection stay up. A consumer that
 * throws is logged and counted; the next event is delivered as usual.
 *
 * <p>Gaps in a publisher's sequence numbers (events that never arrived: dropped for a full queue, lost with a
 * restarting subscriber, lost in a connection) are counted in {@link #missedEvents()} and
 * {@code trench.transport.missed}, and logged. Events carry no retry: a consumer that must not show stale state
 * resynchronises from its own source when it sees a gap in its own domain sequence (the websocket node does so with
 * the auction's sequence number).
 */
public final class ZmqEventSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZmqEventSubscriber.class);
    private static final int TRACKED_PUBLISHERS = 1024;

    private final ZmqBindConfig config;
    private final WireCodec codec;
    private final Consumer<? super EventEnvelope<?>> consumer;
    private final ZmqMeters meters;
    private final PullLoop loop;
    private final Streams streams = new Streams(TRACKED_PUBLISHERS);
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final LogGate logGate = new LogGate();
    /** The type frame expected for each event type name (receive thread only). */
    private final Map<String, byte[]> typeFrames = new HashMap<>();

    private ZmqEventSubscriber(ZmqBindConfig config, WireCodec codec, Consumer<? super EventEnvelope<?>> consumer,
            @Nullable MeterRegistry registry) {
        this.config = config;
        this.codec = codec;
        this.consumer = consumer;
        this.meters = new ZmqMeters(registry, config.name());
        this.loop = new PullLoop(config, "sub", 4L * codec.maxMessageBytes(), 3, this::handle);
    }

    /**
     * Binds and starts receiving; returns once bound.
     *
     * @param consumer called on the receive thread for each event, in order per publisher; must not block for long
     *                 (while it runs, events queue up to the high-water mark) and must not close this subscriber
     * @param registry where to record the {@link TransportMeters}; {@code null} for none
     * @throws IllegalStateException naming the endpoint when it cannot be bound
     */
    public static ZmqEventSubscriber start(ZmqBindConfig config, WireCodec codec,
            Consumer<? super EventEnvelope<?>> consumer, @Nullable MeterRegistry registry) {
        ZmqEventSubscriber subscriber = new ZmqEventSubscriber(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(codec, "codec"), Objects.requireNonNull(consumer, "consumer"), registry);
        subscriber.loop.start();
        return subscriber;
    }

    /** The endpoint bound, with the actual port (e.g. {@code tcp://127.0.0.1:41234}). */
    public String endpoint() {
        return loop.endpoint();
    }

    /** Events known to be missed, from gaps in publishers' sequence numbers, since start. */
    public long missedEvents() {
        return missed.get();
    }

    /** Events decoded and handed to the consumer since start. */
    public long receivedEvents() {
        return received.get();
    }

    /** The configuration. */
    public ZmqBindConfig config() {
        return config;
    }

    private void handle(List<byte[]> frames, int extraFrames) {
        if (frames.size() != 3 || extraFrames > 0 || !Frames.isStream(frames.get(1))) {
            meters.reject(TransportMeters.DIRECTION_IN, TransportMeters.REASON_BAD_FRAME);
            if (logGate.open()) {
                LOG.warn("Channel '{}': skipped a message with a bad frame layout: {} frames, sizes {}; first frame"
                        + " starts with '{}'{}", config.name(), frames.size() + extraFrames, sizes(frames),
                        frames.isEmpty() ? "" : Previews.of(frames.get(0), 40), logGate.suppressedNote());
            }
            return;
        }
        byte[] type = frames.get(0);
        byte[] stream = frames.get(1);
        byte[] body = frames.get(2);
        UUID publisher = Frames.publisher(stream);
        long seq = Frames.seq(stream);
        boolean heartbeat = type.length == 0;
        long gap = streams.observe(publisher, seq, heartbeat);
        if (gap > 0) {
            missed.addAndGet(gap);
            meters.missed(gap);
            if (logGate.open()) {
                LOG.warn("Channel '{}': missed {} event(s) from publisher {} before seq {}{}", config.name(), gap,
                        publisher, heartbeat ? seq + 1 : seq, logGate.suppressedNote());
            }
        }
        if (heartbeat) {
            return;
        }
        if (gap == Streams.STALE) {
            meters.reject(TransportMeters.DIRECTION_IN, TransportMeters.REASON_OUT_OF_ORDER);
            if (logGate.open()) {
                LOG.warn("Channel '{}': skipped event seq {} from publisher {}: not after the last one seen{}",
                        config.name(), seq, publisher, logGate.suppressedNote());
            }
            return;
        }
        EventEnvelope<?> event;
        try {
            event = codec.decodeEvent(body);
            String decodedType = codec.eventType(event);
            if (!Arrays.equals(typeFrames.computeIfAbsent(decodedType, Frames::type), type)) {
                throw new WireFormatException(WireFormatException.Reason.UNKNOWN_TYPE, "type", decodedType,
                        "type frame '" + Frames.typeText(type) + "' does not match the envelope's type '"
                                + decodedType + "'", null);
            }
        } catch (WireFormatException e) {
            meters.reject(TransportMeters.DIRECTION_IN, e.reason().tag());
            if (logGate.open()) {
                LOG.warn("Channel '{}': skipped an unreadable event ({}{}): type frame '{}', {} bytes, publisher {}"
                        + " seq {}: {}; body starts with '{}'{}", config.name(), e.reason(),
                        e.field() == null ? "" : " " + e.field(), Frames.typeText(type), body.length, publisher, seq,
                        e.getMessage(), Previews.of(body, 60), logGate.suppressedNote());
            }
            return;
        }
        meters.message(TransportMeters.DIRECTION_IN, TransportMeters.KIND_EVENT, body.length);
        received.incrementAndGet();
        try {
            consumer.accept(event);
        } catch (RuntimeException e) {
            meters.reject(TransportMeters.DIRECTION_IN, TransportMeters.REASON_HANDLER_FAILED);
            LOG.warn("Channel '{}': the consumer failed on event {} ({}, correlation {})", config.name(),
                    event.eventId(), Frames.typeText(type), event.correlationId(), e);
        }
    }

    private static String sizes(List<byte[]> frames) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < frames.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(frames.get(i).length);
        }
        return sb.append(']').toString();
    }

    /** Stops receiving and ends the receive thread; events not yet read are lost. Idempotent. */
    @Override
    public void close() {
        loop.close();
        meters.removeGauges();
    }

    @Override
    public String toString() {
        return "ZmqEventSubscriber{" + config.name() + " @ " + endpoint() + "}";
    }
}
