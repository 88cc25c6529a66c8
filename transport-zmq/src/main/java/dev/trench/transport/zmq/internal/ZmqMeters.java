package dev.trench.transport.zmq.internal;

import static dev.trench.transport.TransportMeters.TAG_CHANNEL;
import static dev.trench.transport.TransportMeters.TAG_DIRECTION;
import static dev.trench.transport.TransportMeters.TAG_KIND;
import static dev.trench.transport.TransportMeters.TAG_REASON;
import static dev.trench.transport.TransportMeters.TAG_TRANSPORT;

import dev.trench.transport.TransportMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The {@link TransportMeters} of one ZeroMQ channel, tagged {@code transport=zmq} and {@code channel=<name>}. */
public final class ZmqMeters {
    /** The {@code transport} tag value. */
    public static final String TRANSPORT = "zmq";

    private final MeterRegistry registry;
    private final String channel;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();
    private final Counter missed;
    private final Timer ackLatency;
    /** The message and byte counters of the four usual (direction, kind) pairs, bound once: no lookup per message. */
    private final Counter[] messages = new Counter[4];
    private final Counter[] bytes = new Counter[4];

    /** Meters in {@code registry}, or in a private registry when it is {@code null}. */
    public ZmqMeters(@Nullable MeterRegistry registry, String channel) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.channel = channel;
        this.missed = Counter.builder(TransportMeters.MISSED)
                .description("Messages detected as missed from gaps in per-publisher sequence numbers")
                .tags(TAG_TRANSPORT, TRANSPORT, TAG_CHANNEL, channel)
                .register(this.registry);
        this.ackLatency = Timer.builder(TransportMeters.ACK_LATENCY)
                .description("From send to acknowledgement; for ZeroMQ, to the hand-over to the socket")
                .tags(TAG_TRANSPORT, TRANSPORT, TAG_CHANNEL, channel)
                .register(this.registry);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** One message of {@code bytes} bytes of {@code kind} sent or received. */
    public void message(String direction, String kind, int bytes) {
        int slot = slot(direction, kind);
        if (slot < 0) {
            counter(TransportMeters.MESSAGES, direction, kind, "messages").increment();
            counter(TransportMeters.BYTES, direction, kind, "bytes").increment(bytes);
            return;
        }
        Counter m = messages[slot];
        Counter b = this.bytes[slot];
        if (m == null || b == null) {
            // racy but idempotent: the registry hands out the same counter for the same id
            m = counter(TransportMeters.MESSAGES, direction, kind, "messages");
            b = counter(TransportMeters.BYTES, direction, kind, "bytes");
            messages[slot] = m;
            this.bytes[slot] = b;
        }
        m.increment();
        b.increment(bytes);
    }

    /** The index of a usual (direction, kind) pair in the bound counters, or -1. */
    private static int slot(String direction, String kind) {
        int d = direction.equals(TransportMeters.DIRECTION_IN) ? 0
                : direction.equals(TransportMeters.DIRECTION_OUT) ? 1 : -1;
        int k = kind.equals(TransportMeters.KIND_EVENT) ? 0 : kind.equals(TransportMeters.KIND_COMMAND) ? 1 : -1;
        return d < 0 || k < 0 ? -1 : d * 2 + k;
    }

    /** One message refused or dropped. */
    public void reject(String direction, String reason) {
        counters.computeIfAbsent("r|" + direction + "|" + reason, k -> Counter.builder(TransportMeters.REJECTS)
                .description("Messages refused or dropped, by reason")
                .tags(TAG_TRANSPORT, TRANSPORT, TAG_CHANNEL, channel, TAG_DIRECTION, direction, TAG_REASON, reason)
                .register(registry)).increment();
    }

    /** {@code count} messages detected as missed. */
    public void missed(long count) {
        missed.increment(count);
    }

    /** The send-to-hand-over timer. */
    public Timer ackLatency() {
        return ackLatency;
    }

    /** Registers a gauge, removed again by {@link #removeGauges()}. */
    public void gauge(String name, String description, Supplier<Number> value) {
        gauges.add(Gauge.builder(name, value).description(description)
                .tags(TAG_TRANSPORT, TRANSPORT, TAG_CHANNEL, channel).register(registry));
    }

    /** Removes the gauges (they refer to a component that is closing); counters stay. */
    public void removeGauges() {
        for (Gauge g : gauges) {
            registry.remove(g);
        }
        gauges.clear();
    }

    private Counter counter(String name, String direction, String kind, String unit) {
        return counters.computeIfAbsent(name + "|" + direction + "|" + kind, k -> Counter.builder(name)
                .baseUnit(unit)
                .tags(TAG_TRANSPORT, TRANSPORT, TAG_CHANNEL, channel, TAG_DIRECTION, direction, TAG_KIND, kind)
                .register(registry));
    }
}
