package dev.trench.examples.auction.ws;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.examples.auction.ws.internal.AuctionHub;
import dev.trench.examples.auction.ws.internal.ConnectionLimiter;
import dev.trench.examples.auction.ws.internal.NodeMeters;
import dev.trench.examples.auction.ws.internal.OperationsRoutes;
import dev.trench.examples.auction.ws.internal.WebSocketNodeInitializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A websocket node of the auction cluster (Netty): browsers connect to {@code GET /ws} (optionally
 * {@code /ws?token=…}), subscribe to auctions, and receive their events as JSON text frames. The node receives events
 * in process through {@link #accept(EventEnvelope)} (the ZeroMQ subscriber calls it), keeps each auction's events in
 * sequence order (dropping stale and duplicate ones, resynchronising from a {@link SnapshotSource} on a gap), and
 * gives every session a bounded outbound buffer: a client that cannot keep up is disconnected and never slows the
 * others. It also answers {@code GET /health/live}, {@code GET /health/ready} and {@code GET /metrics}.
 *
 * <h2>Protocol</h2>
 * <pre>
 * client → node   {"subscribe": "A1"}          {"unsubscribe": "A1"}
 * node → client   {"type": "Snapshot", "auctionId", "title", "highest", "leader", "seq", "status", "endsAt"}
 *                 {"type": "AuctionRaised", "auctionId", "amount", "userId", "seq", "at"}
 *                 {"type": "BidRejected", "auctionId", "amount", "reason", "message", "commandId", "at"}
 *                 {"type": "Error", "reason", "message"}
 * </pre>
 * Amounts are decimal strings ({@code "12.50"}), instants ISO-8601. A subscriber gets a {@code Snapshot} first when
 * one can be had, then every later {@code AuctionRaised} of the auction once and in order; a {@code Snapshot} can
 * come again when the node resynchronises after missing an event. {@code BidRejected} goes only to the sessions whose
 * token belongs to the bidder, whatever they subscribed to. A bad client message (not JSON, an unknown key, an
 * invalid auction id, too long, binary, one subscription too many) is answered with {@code Error} and the session
 * stays open, up to {@link WebSocketNodeConfig#maxClientErrorsPerSession()} errors (then close 1008). Upgrades with a
 * bad or expired token get 401; past the connection limits, 503. Close codes: 1001 when the node shuts down, 1008
 * for a client too slow to read its frames (or sending too many bad ones), 1009 for a frame over
 * {@link WebSocketNodeConfig#maxFrameBytes()}, 1000 after {@link WebSocketNodeConfig#idleTimeout()} without a read.
 *
 * <h2>Threads</h2>
 * Netty I/O threads own the sockets; each auction is pinned to one of {@link WebSocketNodeConfig#fanoutThreads()}
 * single-threaded executors which owns its ordering state and fans its events out (see the package documentation).
 * {@link #accept} only hands events to them: it never blocks and never waits for a socket.
 *
 * <pre>{@code
 * WebSocketNode node = new WebSocketNode(config, tokens, snapshots, registry);
 * int port = node.start();
 * subscriber.onEvent(node::accept);
 * ...
 * node.close();
 * }</pre>
 */
public final class WebSocketNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebSocketNode.class);

    private enum State { NEW, STARTED, CLOSING, CLOSED }

    private final WebSocketNodeConfig config;
    private final TokenVerifier tokens;
    private final Clock clock;
    private final NodeMeters meters;
    private final OperationsRoutes operations;
    private final ConnectionLimiter limiter;
    private final EventExecutorGroup fanout;
    private final AuctionHub hub;
    private final ChannelGroup channels;
    private volatile State state = State.NEW;
    private @Nullable EventLoopGroup bossGroup;
    private @Nullable EventLoopGroup workerGroup;
    private @Nullable Channel serverChannel;
    private int port = -1;

    /**
     * A node on the system clock. See {@link #WebSocketNode(WebSocketNodeConfig, TokenVerifier, SnapshotSource,
     * MeterRegistry, Clock)}.
     */
    public WebSocketNode(WebSocketNodeConfig config, TokenVerifier tokens, SnapshotSource snapshots,
            MeterRegistry registry) {
        this(config, tokens, snapshots, registry, Clock.systemUTC());
    }

    /**
     * A node, not yet listening.
     *
     * @param config    where it listens, its limits and timings
     * @param tokens    checks the {@code token} of an upgrade
     * @param snapshots the current state of an auction, for new subscribers and after a gap
     * @param registry  where its meters go ({@link WebSocketMeters}); when it is (or contains) a
     *                  {@link PrometheusMeterRegistry}, {@code GET /metrics} serves that registry's scrape, else 404
     * @param clock     for the fan-out lag and whether an auction is closed
     */
    public WebSocketNode(WebSocketNodeConfig config, TokenVerifier tokens, SnapshotSource snapshots,
            MeterRegistry registry, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = new NodeMeters(registry, config.name());
        this.operations = new OperationsRoutes(() -> state == State.STARTED, prometheusScrape(registry));
        this.limiter = new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerAddress());
        this.fanout = new DefaultEventExecutorGroup(config.fanoutThreads(),
                new DefaultThreadFactory(config.name() + "-fanout"));
        this.hub = new AuctionHub(config, snapshots, meters, clock, fanout);
        this.channels = new DefaultChannelGroup(config.name(), GlobalEventExecutor.INSTANCE);
    }

    /**
     * Binds the port and starts accepting connections.
     *
     * @return the bound port (the chosen one when {@link WebSocketNodeConfig#port()} is 0)
     * @throws IllegalStateException when already started or closed, or when the port cannot be bound
     */
    public synchronized int start() {
        if (state != State.NEW) {
            throw new IllegalStateException("websocket node " + config.name() + " is " + state.name().toLowerCase()
                    + "; start() may be called once");
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(config.name() + "-accept"),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory(config.name() + "-io"), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                .childHandler(new WebSocketNodeInitializer(config, tokens, limiter, () -> state == State.STARTED,
                        operations, hub, meters, clock, channels));
        if (config.socketSendBufferBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, config.socketSendBufferBytes());
        }
        try {
            serverChannel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            state = State.CLOSED;
            shutdownThreads();
            throw new IllegalStateException("websocket node " + config.name() + " cannot bind " + config.host() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        state = State.STARTED;
        log.info("websocket node {} listening on {}:{}{}", config.name(), config.host(), port, config.path());
        return port;
    }

    /**
     * Takes one event from the cluster: {@code AuctionRaised} goes to the auction's subscribers in sequence order,
     * {@code BidRejected} to the bidder's sessions; anything else is dropped (counted). Safe from any thread, returns
     * at once: the work happens on the auction's executor and the sessions' I/O threads. Ignored once closing.
     */
    public void accept(EventEnvelope<?> event) {
        Objects.requireNonNull(event, "event");
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        hub.accept(event);
    }

    /** The bound port, once {@link #start()}ed. */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("websocket node " + config.name() + " is not started");
        }
        return port;
    }

    /** Whether the node accepts sessions (what {@code GET /health/ready} answers). */
    public boolean isReady() {
        return state == State.STARTED;
    }

    /** Open websocket sessions. */
    public int sessionCount() {
        return hub.sessionCount();
    }

    /** The node's settings. */
    public WebSocketNodeConfig config() {
        return config;
    }

    /**
     * Stops the node: refuses new upgrades (503) and answers not ready, stops listening, sends every session a close
     * frame 1001 (going away) and waits up to {@link WebSocketNodeConfig#closeTimeout()} for them to close, closes
     * what is left, and releases every thread. Idempotent. Blocks while it waits: call it from an application thread,
     * never from a node thread (an I/O or fan-out thread, or a {@link SnapshotSource} callback running on one).
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED || state == State.CLOSING) {
            return;
        }
        boolean wasStarted = state == State.STARTED;
        state = State.CLOSING;
        if (wasStarted) {
            long deadline = System.nanoTime() + config.closeTimeout().toNanos();
            if (serverChannel != null) {
                serverChannel.close().awaitUninterruptibly(config.closeTimeout().toMillis());
            }
            List<ChannelFuture> closing = hub.goAway();
            for (ChannelFuture f : closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
            channels.close().awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(
                    deadline - System.nanoTime())));
        }
        shutdownThreads();
        state = State.CLOSED;
        log.info("websocket node {} closed", config.name());
    }

    private void shutdownThreads() {
        fanout.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        fanout.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (workerGroup != null) {
            workerGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static @Nullable Supplier<String> prometheusScrape(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return prometheus::scrape;
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry member : composite.getRegistries()) {
                Supplier<String> scrape = prometheusScrape(member);
                if (scrape != null) {
                    return scrape;
                }
            }
        }
        return null;
    }
}
