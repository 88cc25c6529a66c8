package dev.trench.examples.auction.worker;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.trench.bus.CommandBus;
import dev.trench.bus.middleware.InMemoryDeadLetterStore;
import dev.trench.bus.spi.EventPublisher;
import dev.trench.examples.auction.AuctionWire;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.transport.http.HttpCommandServer;
import dev.trench.transport.http.HttpCommandServerConfig;
import dev.trench.transport.http.HttpServerConfig;
import dev.trench.transport.zmq.ZmqConnectConfig;
import dev.trench.transport.zmq.ZmqEventPublisher;
import dev.trench.transport.zmq.ZmqTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code auction-worker}: an {@link HttpCommandServer} ({@code POST /commands}, acknowledging each command once
 * queued, plus {@code /health/live}, {@code /health/ready}, {@code /metrics}) in front of a bus built by Guice from
 * {@link WorkerModule}, whose events go to every websocket node through a {@link ZmqEventPublisher}.
 *
 * <pre>{@code
 * WorkerNode worker = WorkerNode.builder()
 *         .name("worker-1").port(8090)
 *         .store(store)
 *         .events(ZmqTarget.dns("auction-ws", 23499))
 *         .start();
 * ...
 * worker.close();   // drain: not ready, refuse new commands, finish the acknowledged ones, then close
 * }</pre>
 *
 * <h2>Shutdown</h2>
 * {@link #close()}: the command endpoint drains (not ready, new commands answered 503, every acknowledged command
 * handled, at most the drain timeout), its threads stop and its sockets close; then the retry scheduler stops, then
 * the event publisher sends what it still holds and closes its ZeroMQ context.
 */
public final class WorkerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);

    private final String name;
    private final HttpCommandServer server;
    private final CommandBus bus;
    private final ScheduledExecutorService scheduler;
    private final InMemoryDeadLetterStore deadLetters;
    private final @Nullable ZmqEventPublisher ownedPublisher;
    private final PrometheusMeterRegistry registry;
    private final Object lifecycle = new Object();
    private boolean closed;

    private WorkerNode(String name, HttpCommandServer server, CommandBus bus, ScheduledExecutorService scheduler,
            InMemoryDeadLetterStore deadLetters, @Nullable ZmqEventPublisher ownedPublisher,
            PrometheusMeterRegistry registry) {
        this.name = name;
        this.server = server;
        this.bus = bus;
        this.scheduler = scheduler;
        this.deadLetters = deadLetters;
        this.ownedPublisher = ownedPublisher;
        this.registry = registry;
    }

    /** Starts configuring a worker. */
    public static Builder builder() {
        return new Builder();
    }

    /** The command port bound. */
    public int port() {
        return server.port();
    }

    /** {@code 127.0.0.1:port}-style endpoint for a sender on the same host. */
    public String endpoint() {
        return "127.0.0.1:" + port();
    }

    /** The worker's name (logs, thread names, the bus's name). */
    public String name() {
        return name;
    }

    /** The worker's bus. */
    public CommandBus bus() {
        return bus;
    }

    /** The command endpoint: readiness, commands in progress. */
    public HttpCommandServer commandServer() {
        return server;
    }

    /** Commands that failed their last attempt. */
    public InMemoryDeadLetterStore deadLetters() {
        return deadLetters;
    }

    /** The registry exposed at {@code /metrics}. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Drains and closes (see the class documentation). Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            server.close();
        } finally {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (ownedPublisher != null) {
                ownedPublisher.close();
            }
            LOG.info("worker {} closed", name);
        }
    }

    @Override
    public String toString() {
        return "WorkerNode{" + name + ", " + server + "}";
    }

    /** Collects a worker's settings; {@link #start()} builds and starts it. */
    public static final class Builder {
        private String name = "auction-worker";
        private String host = "0.0.0.0";
        private int port = 8090;
        private int queueCapacity = 2_048;
        private int workerThreads = 4;
        private Duration drainTimeout = Duration.ofSeconds(20);
        private @Nullable AuctionStore store;
        private @Nullable ZmqTarget events;
        private @Nullable EventPublisher publisher;
        private @Nullable PrometheusMeterRegistry registry;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The worker's name in logs, threads and metrics; {@code auction-worker} by default. */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** The address the command endpoint binds; {@code 0.0.0.0} by default. */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The command port; 8090 by default, 0 for a free one. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Acknowledged commands that may wait for a worker thread; 2048 by default. */
        public Builder queueCapacity(int value) {
            this.queueCapacity = value;
            return this;
        }

        /** Threads running the handlers; 4 by default. */
        public Builder workerThreads(int value) {
            this.workerThreads = value;
            return this;
        }

        /** How long a drain waits for acknowledged commands; 20 s by default. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = Objects.requireNonNull(value, "drainTimeout");
            return this;
        }

        /** The auction store shared by every worker; required. */
        public Builder store(AuctionStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** The websocket nodes' event endpoints: the worker starts (and closes) a ZeroMQ publisher to every one. */
        public Builder events(ZmqTarget value) {
            this.events = Objects.requireNonNull(value, "events");
            this.publisher = null;
            return this;
        }

        /** Publishes events to this publisher instead, which the caller owns (tests). */
        public Builder publisher(EventPublisher value) {
            this.publisher = Objects.requireNonNull(value, "publisher");
            this.events = null;
            return this;
        }

        /** The registry exposed at {@code /metrics}; a new one by default. */
        public Builder meterRegistry(PrometheusMeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** The bus clock; system UTC by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds the bus (every configuration problem at once), connects the event publisher, binds the command
         * port.
         *
         * @throws IllegalStateException when the store or the events target is missing, or the port cannot be bound
         */
        public WorkerNode start() {
            if (store == null) {
                throw new IllegalStateException("WorkerNode: store is required");
            }
            if (events == null && publisher == null) {
                throw new IllegalStateException("WorkerNode: events (the websocket nodes' ZeroMQ endpoints) or a"
                        + " publisher is required");
            }
            PrometheusMeterRegistry metrics = registry != null ? registry
                    : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            HttpCommandServerConfig serverConfig = HttpCommandServerConfig.builder()
                    .server(HttpServerConfig.builder().name(name).host(host).port(port).ioThreads(2)
                            .drainTimeout(drainTimeout).build())
                    .queueCapacity(queueCapacity)
                    .workerThreads(workerThreads)
                    .build();
            ZmqEventPublisher owned = events == null ? null : ZmqEventPublisher.start(
                    ZmqConnectConfig.builder("auction-events", events).build(), AuctionWire.codec(), metrics);
            EventPublisher target = owned != null ? owned : publisher;
            AtomicInteger threads = new AtomicInteger();
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, name + "-retry-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
            try {
                Injector injector = Guice.createInjector(new WorkerModule(name, store, target, scheduler,
                        deadLetters, metrics, clock));
                CommandBus bus = injector.getInstance(CommandBus.class);
                HttpCommandServer server = HttpCommandServer.builder(bus, AuctionWire.codec())
                        .config(serverConfig)
                        .meterRegistry(metrics)
                        .build()
                        .start();
                LOG.info("worker {} handles commands on port {}; events to {}", name, server.port(),
                        owned != null ? owned.config().target() : target);
                return new WorkerNode(name, server, bus, scheduler, deadLetters, owned, metrics);
            } catch (RuntimeException e) {
                scheduler.shutdownNow();
                if (owned != null) {
                    owned.close();
                }
                throw e;
            }
        }
    }
}
