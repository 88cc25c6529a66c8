package dev.trench.transport.http.internal;

import dev.trench.transport.TransportMeters;
import dev.trench.transport.http.HttpMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live endpoints of one worker service: an immutable snapshot replaced whenever resolution finds a different set
 * (the change is logged and counted), and the choice of an endpoint for one attempt.
 */
public final class EndpointGroup {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointGroup.class);

    /** An endpoint found by resolution: {@code id} is {@code host:port}. */
    public record Target(String id, InetSocketAddress address) {
    }

    private final String worker;
    private final Function<Target, RemoteEndpoint> factory;
    private final Consumer<RemoteEndpoint> retire;
    private final Counter joinedCounter;
    private final Counter leftCounter;
    private volatile List<RemoteEndpoint> endpoints = List.of();

    /**
     * Creates an empty group.
     *
     * @param factory makes an endpoint (with its connection pool) for a target that joined
     * @param retire  releases an endpoint that left (its connections in use finish their answer first)
     */
    public EndpointGroup(String worker, Function<Target, RemoteEndpoint> factory, Consumer<RemoteEndpoint> retire,
            MeterRegistry registry) {
        this.worker = worker;
        this.factory = factory;
        this.retire = retire;
        this.joinedCounter = Counter.builder(HttpMeters.ENDPOINT_CHANGES).tags(tags())
                .tag(HttpMeters.TAG_CHANGE, "joined").register(registry);
        this.leftCounter = Counter.builder(HttpMeters.ENDPOINT_CHANGES).tags(tags())
                .tag(HttpMeters.TAG_CHANGE, "left").register(registry);
        Gauge.builder(TransportMeters.ENDPOINTS, this, g -> g.endpoints.size()).tags(tags()).register(registry);
    }

    private String[] tags() {
        return new String[] {TransportMeters.TAG_TRANSPORT, HttpMeters.HTTP, TransportMeters.TAG_CHANNEL, worker};
    }

    /** The current endpoints, ordered by id. */
    public List<RemoteEndpoint> snapshot() {
        return endpoints;
    }

    /**
     * Replaces the membership with {@code targets}: endpoints still present keep their pools and state, new ones are
     * created, missing ones retired. Logs the change; does nothing when the set is the same.
     */
    public synchronized void update(List<Target> targets) {
        Map<String, RemoteEndpoint> current = new LinkedHashMap<>();
        for (RemoteEndpoint e : endpoints) {
            current.put(e.id, e);
        }
        Map<String, Target> wanted = new LinkedHashMap<>();
        for (Target t : targets) {
            wanted.putIfAbsent(t.id(), t);
        }
        List<String> joined = new ArrayList<>();
        List<RemoteEndpoint> left = new ArrayList<>();
        List<RemoteEndpoint> next = new ArrayList<>();
        for (Target t : wanted.values()) {
            RemoteEndpoint existing = current.get(t.id());
            if (existing != null) {
                next.add(existing);
            } else {
                next.add(factory.apply(t));
                joined.add(t.id());
            }
        }
        for (RemoteEndpoint e : current.values()) {
            if (!wanted.containsKey(e.id)) {
                left.add(e);
            }
        }
        if (joined.isEmpty() && left.isEmpty()) {
            return;
        }
        next.sort(Comparator.comparing(e -> e.id));
        endpoints = List.copyOf(next);
        joinedCounter.increment(joined.size());
        leftCounter.increment(left.size());
        LOG.info("Worker '{}' endpoints changed: joined {}, left {}; now {}: {}", worker, joined,
                left.stream().map(e -> e.id).toList(), next.size(), next.stream().map(e -> e.id).toList());
        for (RemoteEndpoint e : left) {
            retire.accept(e);
        }
    }

    /** Retires every endpoint (the sender is closing). */
    public synchronized void clear() {
        List<RemoteEndpoint> old = endpoints;
        endpoints = List.of();
        old.forEach(retire);
    }

    /**
     * The endpoint for one attempt. Preference: up and not yet tried by this send, then up, then not yet tried (a
     * skipped endpoint may be back). Among them, a routed send takes the rendezvous winner for its key; an unrouted one
     * the less busy of two picked at random (power of two choices).
     *
     * @return {@code null} when no endpoint is known
     */
    public @Nullable RemoteEndpoint choose(@Nullable String key, Set<RemoteEndpoint> tried, long nowNanos) {
        List<RemoteEndpoint> all = endpoints;
        if (all.isEmpty()) {
            return null;
        }
        List<RemoteEndpoint> candidates = filter(all, tried, nowNanos, true, true);
        if (candidates.isEmpty()) {
            candidates = filter(all, tried, nowNanos, true, false);
        }
        if (candidates.isEmpty()) {
            candidates = filter(all, tried, nowNanos, false, true);
        }
        if (candidates.isEmpty()) {
            candidates = all;
        }
        if (key != null) {
            return Rendezvous.pick(key, candidates, e -> e.hash);
        }
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        RemoteEndpoint a = candidates.get(random.nextInt(n));
        RemoteEndpoint b = candidates.get(random.nextInt(n - 1));
        if (b == a) {
            b = candidates.get(n - 1);
        }
        return b.inFlight.get() < a.inFlight.get() ? b : a;
    }

    private static List<RemoteEndpoint> filter(List<RemoteEndpoint> all, Set<RemoteEndpoint> tried, long now,
            boolean mustBeUp, boolean mustBeUntried) {
        List<RemoteEndpoint> out = new ArrayList<>(all.size());
        for (RemoteEndpoint e : all) {
            if ((!mustBeUp || e.isUp(now)) && (!mustBeUntried || !tried.contains(e))) {
                out.add(e);
            }
        }
        return out;
    }
}
