package dev.trench.transport.http;

import dev.trench.transport.http.internal.Router;
import dev.trench.transport.http.internal.ServerConnectionHandler;
import dev.trench.transport.http.internal.ServerCore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server on Netty that every Trench service shares: the worker's command endpoint, the auction API, the
 * websocket nodes. Besides its own routes it always answers
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves requests;</li>
 *   <li>{@code GET /health/ready}: 200 when started and the readiness check passes, otherwise 503 with
 *       {@code {"status":"DOWN","reason":"starting"}} (or {@code "draining"} once a drain began);</li>
 *   <li>{@code GET /metrics}: the Prometheus text exposition of its {@link PrometheusMeterRegistry}.</li>
 * </ul>
 * Unknown paths get a 404 problem, known paths under another method a 405 problem with {@code Allow}, bodies over
 * {@link HttpServerConfig#maxRequestBytes()} a 413 problem; all as {@code application/problem+json}, and none of them
 * closes the connection. Connections are kept alive; requests on one connection are answered in order.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder(HttpServerConfig.builder().name("api").port(8080).build())
 *         .meterRegistry(prometheus)
 *         .route("POST", "/auctions/{auctionId}/bids", exchange -> ...)
 *         .build()
 *         .start();
 * server.registerShutdownHook();
 * }</pre>
 *
 * <h2>Shutdown</h2>
 * {@link #close()} drains: the server reports not ready, every answer from then on closes its connection, handlers
 * see {@link HttpExchange#draining()} (and should refuse new work with 503), requests in progress are answered (up to
 * {@link HttpServerConfig#drainTimeout()}), and only then are the sockets closed.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private enum State { NEW, STARTED, DRAINING, CLOSED }

    private final HttpServerConfig config;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier readinessCheck;
    private final @Nullable Consumer<ChannelPipeline> pipeline;
    private final ServerCore core;
    private final Object lifecycle = new Object();
    private volatile State state = State.NEW;
    private @Nullable EventLoopGroup acceptor;
    private @Nullable EventLoopGroup io;
    private @Nullable Channel serverChannel;
    private @Nullable Thread shutdownHook;

    private HttpServer(Builder b, Router router) {
        this.config = b.config;
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.readinessCheck = b.readinessCheck;
        this.pipeline = b.pipeline;
        this.core = new ServerCore(config, router, new DefaultChannelGroup(config.name(), GlobalEventExecutor.INSTANCE),
                registry);
    }

    /** Starts a server with the given settings. */
    public static Builder builder(HttpServerConfig config) {
        return new Builder(config);
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this server
     * @throws IllegalStateException when the port cannot be bound, or the server was started before
     */
    public HttpServer start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("server '" + config.name() + "' was already started (" + state + ")");
            }
            acceptor = new MultiThreadIoEventLoopGroup(1,
                    new DefaultThreadFactory("trench-" + config.name() + "-accept"), NioIoHandler.newFactory());
            io = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                    new DefaultThreadFactory("trench-" + config.name() + "-io"), NioIoHandler.newFactory());
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(config.maxInitialLineLength())
                    .setMaxHeaderSize(config.maxHeaderBytes())
                    .setMaxChunkSize(16 * 1024);
            long idleMillis = config.idleTimeout().toMillis();
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptor, io)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            core.channels().add(ch);
                            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                    .addLast("codec", new HttpServerCodec(decoder));
                            if (pipeline != null) {
                                pipeline.accept(ch.pipeline());
                            }
                            ch.pipeline().addLast("trench", new ServerConnectionHandler(core));
                        }
                    });
            try {
                serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
            } catch (Exception e) {
                shutdownGroups(Duration.ofSeconds(1));
                state = State.CLOSED;
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("server '" + config.name() + "' cannot listen on " + config.host()
                        + ":" + config.port() + ": " + e, e);
            }
            state = State.STARTED;
            LOG.info("HTTP server '{}' listening on {}", config.name(), serverChannel.localAddress());
            return this;
        }
    }

    /** The port bound (the ephemeral one when configured with 0). */
    public int port() {
        return address().getPort();
    }

    /** The address bound. */
    public InetSocketAddress address() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("server '" + config.name() + "' is not started");
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** Whether {@code /health/ready} answers 200: started, not draining, and the readiness check passes. */
    public boolean isReady() {
        if (state != State.STARTED || core.draining()) {
            return false;
        }
        try {
            return readinessCheck.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("Readiness check of server '{}' failed", config.name(), e);
            return false;
        }
    }

    /** Whether a drain began. */
    public boolean isDraining() {
        return core.draining();
    }

    /** The settings. */
    public HttpServerConfig config() {
        return config;
    }

    /** The registry exposed at {@code /metrics}; bind your own meters to it. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Begins a drain without waiting: not ready from now on, every later answer closes its connection, and handlers
     * see {@link HttpExchange#draining()}. {@link #close()} completes it.
     */
    public void beginDrain() {
        synchronized (lifecycle) {
            if (state == State.STARTED) {
                state = State.DRAINING;
            }
            core.beginDrain();
        }
    }

    /**
     * Drains and stops: {@link #beginDrain()}, waits for the requests in progress to be answered (at most
     * {@link HttpServerConfig#drainTimeout()}, logging what is left when exceeded), then closes the sockets and stops
     * the threads. Idempotent; safe from a shutdown hook.
     */
    @Override
    public void close() {
        closeBy(System.nanoTime() + config.drainTimeout().toNanos());
    }

    /** {@link #close()} with a deadline shared with other steps of a drain ({@link System#nanoTime()} based). */
    void closeBy(long deadlineNanos) {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.NEW) {
                state = State.CLOSED;
                return;
            }
            beginDrain();
            if (!core.exchanges().awaitZero(deadlineNanos)) {
                LOG.warn("HTTP server '{}': drain timeout exceeded with {} requests still in progress; closing anyway",
                        config.name(), core.exchanges().get());
            }
            Channel ch = serverChannel;
            if (ch != null) {
                ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            core.channels().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            shutdownGroups(Duration.ofSeconds(5));
            state = State.CLOSED;
            removeShutdownHook();
            LOG.info("HTTP server '{}' closed", config.name());
        }
    }

    private void shutdownGroups(Duration timeout) {
        for (EventLoopGroup g : new EventLoopGroup[] {acceptor, io}) {
            if (g != null) {
                g.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        // one deadline for both groups, not one each: they shut down at the same time
        long deadline = System.nanoTime() + timeout.plusSeconds(1).toNanos();
        for (EventLoopGroup g : new EventLoopGroup[] {acceptor, io}) {
            if (g != null) {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!g.terminationFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("HTTP server '{}': an event loop group did not report its termination within {}; going"
                            + " on", config.name(), timeout.plusSeconds(1));
                }
            }
        }
    }

    /**
     * Registers a JVM shutdown hook (run on SIGTERM) that calls {@link #close()}.
     *
     * @return this server
     */
    public HttpServer registerShutdownHook() {
        return registerShutdownHook(this::close);
    }

    HttpServer registerShutdownHook(Runnable drain) {
        synchronized (lifecycle) {
            if (shutdownHook == null) {
                shutdownHook = new Thread(drain, "trench-" + config.name() + "-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            return this;
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs or ran
            }
        }
        shutdownHook = null;
    }

    @Override
    public String toString() {
        return "HttpServer{" + config.name() + ", " + state + (serverChannel == null ? "" : ", " + address()) + "}";
    }

    /** Collects the routes and collaborators of an {@link HttpServer}. */
    public static final class Builder {
        private final HttpServerConfig config;
        private final Router.Builder routes = new Router.Builder();
        private @Nullable PrometheusMeterRegistry registry;
        private BooleanSupplier readinessCheck = () -> true;
        private @Nullable Consumer<ChannelPipeline> pipeline;
        private @Nullable HttpServer built;

        private Builder(HttpServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            routes.add("GET", "/health/live", exchange -> exchange.respond(HttpReply.json(200,
                    Map.of("status", "UP"))));
            routes.add("GET", "/health/ready", exchange -> {
                HttpServer server = Objects.requireNonNull(built);
                if (server.isReady()) {
                    exchange.respond(HttpReply.json(200, Map.of("status", "UP")));
                } else {
                    String reason = server.isDraining() ? "draining" : server.state == State.STARTED
                            ? "not-ready" : "starting";
                    exchange.respond(HttpReply.json(503, Map.of("status", "DOWN", "reason", reason)));
                }
            });
            routes.add("GET", "/metrics", exchange -> {
                HttpServer server = Objects.requireNonNull(built);
                exchange.respond(HttpReply.of(200, PROMETHEUS_TEXT,
                        server.registry.scrape().getBytes(StandardCharsets.UTF_8)));
            });
        }

        /** The registry to expose at {@code /metrics}; a new one of its own by default. */
        public Builder meterRegistry(PrometheusMeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Adds a route. The pattern is an absolute path whose segments are literals or {@code {name}} parameters
         * ({@link HttpExchange#pathParameter(String)}). {@code /health/live}, {@code /health/ready} and
         * {@code /metrics} are taken.
         */
        public Builder route(String method, String pattern, HttpHandler handler) {
            routes.add(method, pattern, handler);
            return this;
        }

        /**
         * An extra condition of readiness, e.g. "connected to Redis"; until it holds {@code /health/ready} answers 503
         * with reason {@code not-ready}. Must be fast and must not block.
         */
        public Builder readinessCheck(BooleanSupplier check) {
            this.readinessCheck = Objects.requireNonNull(check, "readinessCheck");
            return this;
        }

        /**
         * Adds Netty handlers to every connection, after the HTTP codec and before Trench's router, e.g. a websocket
         * endpoint:
         * <pre>{@code
         * .pipeline(p -> p.addLast(new HttpObjectAggregator(65536),
         *                          new WebSocketServerProtocolHandler("/ws"),
         *                          new MyFrameHandler()))
         * }</pre>
         * A handler may answer a request itself or take the connection over; what it passes on reaches the routes.
         * Idle connections are closed by the router after {@link HttpServerConfig#idleTimeout()} unless a handler
         * consumes the {@link io.netty.handler.timeout.IdleStateEvent} (a websocket handler should, and ping instead).
         */
        public Builder pipeline(Consumer<ChannelPipeline> customiser) {
            this.pipeline = Objects.requireNonNull(customiser, "pipeline");
            return this;
        }

        /**
         * Builds the server (not started).
         *
         * @throws IllegalArgumentException listing every invalid or duplicate route
         */
        public HttpServer build() {
            if (built != null) {
                throw new IllegalStateException("build() was called already; use a new builder per server");
            }
            built = new HttpServer(this, routes.build());
            return built;
        }
    }
}
