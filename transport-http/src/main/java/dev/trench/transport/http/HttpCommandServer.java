package dev.trench.transport.http;

import dev.trench.bus.CommandBus;
import dev.trench.transport.WireCodec;
import dev.trench.transport.http.internal.CommandIngress;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's command endpoint: receives command envelopes over HTTP and handles them on the local {@link CommandBus}.
 *
 * <h2>{@code POST /commands}</h2>
 * The body is a command envelope in the wire format of {@link WireCodec}, with {@code Content-Type: application/json}.
 * <ul>
 *   <li><b>Ack mode</b> (the default): the envelope is decoded (the command's constructor validates it), its id is
 *       checked against the dedupe window, the command takes a place in the bounded queue, and only then is
 *       {@code 202 Accepted} sent with {@code {"commandId": "..."}}. Worker threads then dispatch it into the bus
 *       ({@link CommandBus#dispatch(dev.trench.bus.Envelope)}). A command is never acknowledged without a place in the
 *       queue; a failure after the ack is the bus's business (its retry and dead-letter middleware) and is logged.</li>
 *   <li><b>Sync mode</b>: for the commands listed in {@link HttpCommandServerConfig#syncCommands()}, or for one request
 *       with the header {@code X-Trench-Mode: sync}, the answer waits for the handlers: {@code 200} with
 *       {@code {"commandId": "...", "result": <the result as JSON>}}, or a problem: 422 for a
 *       {@link dev.trench.bus.CommandRejectedException} (with its {@code reason}), 400 for an
 *       {@link dev.trench.bus.InvalidCommandException} (with its {@code field}), 503 for an
 *       {@link dev.trench.bus.OverloadedException}, 500 otherwise. {@code X-Trench-Mode: ack} forces ack mode for a
 *       command configured as sync. Sync commands share the queue and the worker threads with the others.</li>
 *   <li><b>Resends</b>: a command id accepted within {@link HttpCommandServerConfig#dedupeWindow()} is answered
 *       {@code 202} with {@code {"commandId": "...", "duplicate": true}} and not handled again, in either mode (a
 *       sync result is not kept for resends).</li>
 * </ul>
 * Errors are {@code application/problem+json} (RFC 9457) with {@code type}, {@code title}, {@code status},
 * {@code detail} and, where known, {@code field} and {@code commandId}: 400 for bad input (type
 * {@code urn:trench:problem:malformed}, {@code missing-field}, {@code invalid-field}, {@code unknown-type},
 * {@code unknown-field} or {@code invalid-header}, naming the field), 413 for a body over the limit, 415 for a body
 * that is not JSON, 404 for an unknown path, 405 for another method, and 503 with {@code Retry-After} when the queue is
 * full ({@code queue-full}) or the server is draining ({@code draining}). No error closes the connection; while
 * draining, every answer does (so that clients reconnect to another instance).
 *
 * <h2>Health, metrics, shutdown</h2>
 * It is an {@link HttpServer}, so it answers {@code /health/live}, {@code /health/ready} and {@code /metrics}. On
 * {@link #close()} (and on SIGTERM after {@link #registerShutdownHook()}) it drains in this order: not ready, new
 * commands refused with 503, every acknowledged command finished (at most the drain timeout; the count left is logged
 * when exceeded), then the worker threads stop and the sockets close.
 *
 * <pre>{@code
 * HttpCommandServer server = HttpCommandServer.builder(bus, codec)
 *         .config(HttpCommandServerConfig.builder().server(HttpServerConfig.builder().port(8090).build()).build())
 *         .meterRegistry(prometheus)
 *         .build()
 *         .start()
 *         .registerShutdownHook();
 * }</pre>
 */
public final class HttpCommandServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpCommandServer.class);

    /** The request header that chooses the mode of one request: {@code sync} or {@code ack}. */
    public static final String MODE_HEADER = CommandIngress.MODE_HEADER;

    private final HttpCommandServerConfig config;
    private final CommandIngress ingress;
    private final HttpServer server;
    private final Object lifecycle = new Object();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean started;
    private boolean closing;

    private HttpCommandServer(Builder b) {
        this.config = b.config;
        PrometheusMeterRegistry registry = b.registry != null ? b.registry
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.ingress = new CommandIngress(b.bus, b.codec, config, registry, b.clock);
        HttpServer.Builder http = HttpServer.builder(config.server())
                .meterRegistry(registry)
                .readinessCheck(b.readinessCheck)
                .route("POST", config.path(), ingress);
        for (ExtraRoute r : b.routes) {
            http.route(r.method, r.pattern, r.handler);
        }
        this.server = http.build();
    }

    /** Starts building a command endpoint for {@code bus}, reading envelopes with {@code codec}. */
    public static Builder builder(CommandBus bus, WireCodec codec) {
        return new Builder(bus, codec);
    }

    /**
     * Starts the worker threads, then binds the port.
     *
     * @return this server
     * @throws IllegalStateException when the port cannot be bound or it was started before
     */
    public HttpCommandServer start() {
        synchronized (lifecycle) {
            if (started) {
                throw new IllegalStateException("command server '" + config.server().name() + "' was already started");
            }
            started = true;
            ingress.startWorkers();
            try {
                server.start();
            } catch (RuntimeException e) {
                ingress.stop(1000);
                throw e;
            }
            LOG.info("Command endpoint '{}' accepts POST {} on port {} (queue {}, {} worker threads, sync: {})",
                    config.server().name(), config.path(), server.port(), config.queueCapacity(),
                    config.workerThreads(), config.syncCommands());
            return this;
        }
    }

    /** The port bound (the ephemeral one when configured with 0). */
    public int port() {
        return server.port();
    }

    /** The address bound. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The underlying HTTP server: readiness, its meter registry. */
    public HttpServer httpServer() {
        return server;
    }

    /** The settings. */
    public HttpCommandServerConfig config() {
        return config;
    }

    /** Acknowledged commands not finished yet (queued or being handled). */
    public int inProgress() {
        return ingress.inProgress();
    }

    /** Acknowledged commands waiting for a worker thread. */
    public int queued() {
        return ingress.queued();
    }

    /**
     * Drains without closing: not ready from now on, new commands answered 503 (resends of accepted ids still 202),
     * then waits until every acknowledged command finished, at most the drain timeout. Sockets stay open; call
     * {@link #close()} afterwards. Calling it again waits again.
     *
     * @return whether every acknowledged command finished in time
     */
    public boolean drain() {
        return drainBy(System.nanoTime() + config.server().drainTimeout().toNanos());
    }

    private boolean drainBy(long deadlineNanos) {
        server.beginDrain();
        ingress.beginDrain();
        LOG.info("Command endpoint '{}' draining: {} acknowledged commands to finish", config.server().name(),
                ingress.inProgress());
        boolean done = ingress.awaitIdle(deadlineNanos);
        if (!done) {
            LOG.warn("Command endpoint '{}': drain timeout {} exceeded with {} acknowledged commands not finished ({}"
                    + " still queued)", config.server().name(), config.server().drainTimeout(), ingress.inProgress(),
                    ingress.queued());
        }
        return done;
    }

    /**
     * Drains ({@link #drain()}), stops the worker threads, then closes the sockets. Idempotent: a second call waits
     * for the first to finish. Safe from a shutdown hook.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closing) {
                awaitClosed();
                return;
            }
            closing = true;
        }
        try {
            long deadline = System.nanoTime() + config.server().drainTimeout().toNanos();
            if (started) {
                drainBy(deadline);
                int abandoned = ingress.stop(1000);
                if (abandoned > 0) {
                    LOG.warn("Command endpoint '{}': {} acknowledged commands abandoned in the queue",
                            config.server().name(), abandoned);
                }
            }
            server.closeBy(Math.max(deadline, System.nanoTime() + 1_000_000_000L));
        } finally {
            closed.countDown();
        }
    }

    private void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Registers a JVM shutdown hook (run on SIGTERM) that calls {@link #close()}.
     *
     * @return this server
     */
    public HttpCommandServer registerShutdownHook() {
        server.registerShutdownHook(this::close);
        return this;
    }

    @Override
    public String toString() {
        return "HttpCommandServer{" + server + ", inProgress=" + ingress.inProgress() + "}";
    }

    private record ExtraRoute(String method, String pattern, HttpHandler handler) {
    }

    /** Collects the collaborators of an {@link HttpCommandServer}. */
    public static final class Builder {
        private final CommandBus bus;
        private final WireCodec codec;
        private HttpCommandServerConfig config = HttpCommandServerConfig.builder().build();
        private @Nullable PrometheusMeterRegistry registry;
        private Clock clock;
        private BooleanSupplier readinessCheck = () -> true;
        private final List<ExtraRoute> routes = new ArrayList<>();

        private Builder(CommandBus bus, WireCodec codec) {
            this.bus = Objects.requireNonNull(bus, "bus");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.clock = bus.clock();
        }

        /** The settings; {@link HttpCommandServerConfig#builder()}'s defaults otherwise. */
        public Builder config(HttpCommandServerConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** The registry for the transport's meters, exposed at {@code /metrics}; a new one by default. */
        public Builder meterRegistry(PrometheusMeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** The clock of the dedupe window; the bus's clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** An extra readiness condition; see {@link HttpServer.Builder#readinessCheck(BooleanSupplier)}. */
        public Builder readinessCheck(BooleanSupplier check) {
            this.readinessCheck = Objects.requireNonNull(check, "readinessCheck");
            return this;
        }

        /** Adds another route to the same server; see {@link HttpServer.Builder#route(String, String, HttpHandler)}. */
        public Builder route(String method, String pattern, HttpHandler handler) {
            routes.add(new ExtraRoute(method, pattern, handler));
            return this;
        }

        /**
         * Builds the endpoint (not started).
         *
         * @throws IllegalArgumentException when a sync command is not registered with the bus, or a route is invalid
         */
        public HttpCommandServer build() {
            return new HttpCommandServer(this);
        }
    }
}
