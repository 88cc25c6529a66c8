package dev.trench.transport.zmq.internal;

import dev.trench.transport.zmq.ZmqTarget;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the set of endpoints of a {@link ZmqTarget} current: a fixed list once, a DNS name at start and then every
 * resolve interval on a thread of its own (a slow DNS server never stalls the I/O thread). Each new set is handed to
 * the listener, which must only publish it (the I/O thread applies it). A failed lookup keeps the previous set.
 */
public final class EndpointWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointWatcher.class);

    private final ZmqTarget target;
    private final String name;
    private final Consumer<Set<String>> listener;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Set<String> last;
    private boolean failing;

    /** A watcher of {@code target} for channel {@code name}. */
    public EndpointWatcher(ZmqTarget target, String name, Consumer<Set<String>> listener) {
        this.target = target;
        this.name = name;
        this.listener = listener;
    }

    /** Publishes the first set (resolving a DNS name once, on the calling thread) and starts re-resolving. */
    public void start() {
        if (!target.isDns()) {
            listener.accept(Collections.unmodifiableSet(new LinkedHashSet<>(target.fixedEndpoints())));
            return;
        }
        resolve();
        String threadName = Contexts.threadName("resolve", name);
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long every = target.resolveInterval().toMillis();
        s.scheduleWithFixedDelay(this::resolve, every, every, TimeUnit.MILLISECONDS);
        scheduler = s;
    }

    private synchronized void resolve() {
        String host = java.util.Objects.requireNonNull(target.host());
        List<InetSocketAddress> addresses;
        try {
            addresses = target.resolver().resolve(host, target.port());
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("Channel '{}': cannot resolve {}: {}; keeping the endpoints {}", name, host, e.toString(),
                        last == null ? "[]" : last);
                failing = true;
            }
            return;
        }
        if (failing) {
            LOG.info("Channel '{}': {} resolves again", name, host);
            failing = false;
        }
        Set<String> endpoints = new LinkedHashSet<>();
        for (InetSocketAddress a : addresses) {
            endpoints.add(ZmqTarget.endpointOf(a));
        }
        if (!endpoints.equals(last)) {
            last = Collections.unmodifiableSet(endpoints);
            listener.accept(last);
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("Channel '{}': the resolver thread did not stop within 10 s", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
