package dev.trench.examples.auction.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link WebSocketNode}: where it listens, its limits and its timings. Immutable; made with
 * {@link #builder()}, derived with {@link #from(WebSocketNodeConfig)}; {@link Builder#build()} reports every invalid
 * value at once, naming the field and the value.
 *
 * <pre>{@code
 * WebSocketNodeConfig config = WebSocketNodeConfig.builder().name("ws-1").port(8081).maxConnections(5_000).build();
 * }</pre>
 */
public final class WebSocketNodeConfig {
    private final String name;
    private final String host;
    private final int port;
    private final String path;
    private final int ioThreads;
    private final int fanoutThreads;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final int maxFrameBytes;
    private final int maxClientMessageBytes;
    private final int maxSubscriptionsPerSession;
    private final int maxClientErrorsPerSession;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final int maxPendingBytes;
    private final int maxPendingFrames;
    private final int socketSendBufferBytes;
    private final Duration pingInterval;
    private final Duration idleTimeout;
    private final Duration handshakeTimeout;
    private final Duration reorderWindow;
    private final int maxHeldEvents;
    private final Duration snapshotTimeout;
    private final Duration closeTimeout;

    private WebSocketNodeConfig(Builder b) {
        name = b.name;
        host = b.host;
        port = b.port;
        path = b.path;
        ioThreads = b.ioThreads;
        fanoutThreads = b.fanoutThreads;
        maxConnections = b.maxConnections;
        maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        maxFrameBytes = b.maxFrameBytes;
        maxClientMessageBytes = b.maxClientMessageBytes;
        maxSubscriptionsPerSession = b.maxSubscriptionsPerSession;
        maxClientErrorsPerSession = b.maxClientErrorsPerSession;
        writeBufferLowWaterMark = b.writeBufferLowWaterMark;
        writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        maxPendingBytes = b.maxPendingBytes;
        maxPendingFrames = b.maxPendingFrames;
        socketSendBufferBytes = b.socketSendBufferBytes;
        pingInterval = b.pingInterval;
        idleTimeout = b.idleTimeout;
        handshakeTimeout = b.handshakeTimeout;
        reorderWindow = b.reorderWindow;
        maxHeldEvents = b.maxHeldEvents;
        snapshotTimeout = b.snapshotTimeout;
        closeTimeout = b.closeTimeout;
    }

    /** A builder with the defaults: {@code 0.0.0.0:8081/ws}, limits and timings as documented on each getter. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the values of {@code base}. */
    public static Builder from(WebSocketNodeConfig base) {
        return new Builder(base);
    }

    /** The node's name in logs, thread names and the {@code node} meter tag; default {@code ws}. */
    public String name() {
        return name;
    }

    /** The address to bind; default {@code 0.0.0.0}. */
    public String host() {
        return host;
    }

    /** The port to bind; 0 picks a free one ({@link WebSocketNode#start()} returns it); default 8081. */
    public int port() {
        return port;
    }

    /** The path that upgrades to a websocket; default {@code /ws}. */
    public String path() {
        return path;
    }

    /** Netty I/O threads (sockets, parsing, writes); default one per core. */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * Threads that own the per-auction state (ordering, gaps, snapshots, fan-out); each auction is pinned to one of
     * them. Default one per core.
     */
    public int fanoutThreads() {
        return fanoutThreads;
    }

    /** Websocket sessions this node accepts at once; further upgrades get 503. Default 20,000. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Websocket sessions accepted at once from one remote address; further upgrades get 503. Default 5,000. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** The largest websocket frame payload a client may send; a larger one closes the session (1009). Default 16 KiB. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The largest client message answered normally; a longer one gets an {@code Error} frame. Default 1 KiB. */
    public int maxClientMessageBytes() {
        return maxClientMessageBytes;
    }

    /** Auctions one session may subscribe to at once; one more gets an {@code Error} frame. Default 100. */
    public int maxSubscriptionsPerSession() {
        return maxSubscriptionsPerSession;
    }

    /** Bad messages a session may send before it is closed (1008); each one before is answered. Default 100. */
    public int maxClientErrorsPerSession() {
        return maxClientErrorsPerSession;
    }

    /** Netty's low water mark of a session's socket buffer: writing resumes below it. Default 32 KiB. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** Netty's high water mark of a session's socket buffer: the node stops handing frames to Netty above it. Default 64 KiB. */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /**
     * The most bytes of frames a session may have waiting (queued, or handed to Netty and not yet written to the
     * socket); one more frame disconnects the session as too slow. Default 1 MiB.
     */
    public int maxPendingBytes() {
        return maxPendingBytes;
    }

    /** The most frames a session may have waiting; one more disconnects it as too slow. Default 10,000. */
    public int maxPendingFrames() {
        return maxPendingFrames;
    }

    /** {@code SO_SNDBUF} of session sockets, or 0 for the operating system's default (and its auto-tuning). */
    public int socketSendBufferBytes() {
        return socketSendBufferBytes;
    }

    /** A session the node wrote nothing to for this long gets a ping. Default 15 s. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** A connection the node read nothing from (not even a pong) for this long is closed. Default 45 s. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a client may take to complete the websocket handshake. Default 10 s. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * How long an event that arrived ahead of a missing one waits for it before the node resynchronises from a
     * snapshot. Events of one auction may overtake each other on their way: a worker handles commands on several
     * threads, so two bids placed 1 ms apart can be published in the other order, and under load that was measured at
     * more than 100 ms (the multi-process test lost frames with a 50 ms window). A resync shows browsers the new
     * state but not the bids in between, so the default waits long enough for a late event: 1 s. Only the events
     * behind a gap wait; events in order are never delayed. Zero resynchronises at once.
     */
    public Duration reorderWindow() {
        return reorderWindow;
    }

    /** Events held per auction behind a gap; past it the node resynchronises at once. Default 1,024. */
    public int maxHeldEvents() {
        return maxHeldEvents;
    }

    /** How long a snapshot fetch may take before it counts as failed. Default 2 s. */
    public Duration snapshotTimeout() {
        return snapshotTimeout;
    }

    /** How long {@link WebSocketNode#close()} waits for sessions to close after sending them 1001. Default 5 s. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    @Override
    public String toString() {
        return "WebSocketNodeConfig{name=" + name + ", " + host + ":" + port + path + ", ioThreads=" + ioThreads
                + ", fanoutThreads=" + fanoutThreads + ", maxConnections=" + maxConnections
                + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress + ", maxFrameBytes=" + maxFrameBytes
                + ", maxClientMessageBytes=" + maxClientMessageBytes + ", maxSubscriptionsPerSession="
                + maxSubscriptionsPerSession + ", maxClientErrorsPerSession=" + maxClientErrorsPerSession
                + ", writeBufferWaterMark=[" + writeBufferLowWaterMark + ", " + writeBufferHighWaterMark
                + "], maxPendingBytes=" + maxPendingBytes + ", maxPendingFrames=" + maxPendingFrames
                + ", socketSendBufferBytes=" + socketSendBufferBytes + ", pingInterval=" + pingInterval
                + ", idleTimeout=" + idleTimeout + ", handshakeTimeout=" + handshakeTimeout + ", reorderWindow="
                + reorderWindow + ", maxHeldEvents=" + maxHeldEvents + ", snapshotTimeout=" + snapshotTimeout
                + ", closeTimeout=" + closeTimeout + "}";
    }

    /** Builds a {@link WebSocketNodeConfig}; {@link #build()} reports every invalid value at once. */
    public static final class Builder {
        private String name = "ws";
        private String host = "0.0.0.0";
        private int port = 8081;
        private String path = "/ws";
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int fanoutThreads = Runtime.getRuntime().availableProcessors();
        private int maxConnections = 20_000;
        private int maxConnectionsPerAddress = 5_000;
        private int maxFrameBytes = 16 * 1024;
        private int maxClientMessageBytes = 1024;
        private int maxSubscriptionsPerSession = 100;
        private int maxClientErrorsPerSession = 100;
        private int writeBufferLowWaterMark = 32 * 1024;
        private int writeBufferHighWaterMark = 64 * 1024;
        private int maxPendingBytes = 1024 * 1024;
        private int maxPendingFrames = 10_000;
        private int socketSendBufferBytes = 0;
        private Duration pingInterval = Duration.ofSeconds(15);
        private Duration idleTimeout = Duration.ofSeconds(45);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration reorderWindow = Duration.ofSeconds(1);
        private int maxHeldEvents = 1024;
        private Duration snapshotTimeout = Duration.ofSeconds(2);
        private Duration closeTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        private Builder(WebSocketNodeConfig c) {
            name = c.name;
            host = c.host;
            port = c.port;
            path = c.path;
            ioThreads = c.ioThreads;
            fanoutThreads = c.fanoutThreads;
            maxConnections = c.maxConnections;
            maxConnectionsPerAddress = c.maxConnectionsPerAddress;
            maxFrameBytes = c.maxFrameBytes;
            maxClientMessageBytes = c.maxClientMessageBytes;
            maxSubscriptionsPerSession = c.maxSubscriptionsPerSession;
            maxClientErrorsPerSession = c.maxClientErrorsPerSession;
            writeBufferLowWaterMark = c.writeBufferLowWaterMark;
            writeBufferHighWaterMark = c.writeBufferHighWaterMark;
            maxPendingBytes = c.maxPendingBytes;
            maxPendingFrames = c.maxPendingFrames;
            socketSendBufferBytes = c.socketSendBufferBytes;
            pingInterval = c.pingInterval;
            idleTimeout = c.idleTimeout;
            handshakeTimeout = c.handshakeTimeout;
            reorderWindow = c.reorderWindow;
            maxHeldEvents = c.maxHeldEvents;
            snapshotTimeout = c.snapshotTimeout;
            closeTimeout = c.closeTimeout;
        }

        /** See {@link WebSocketNodeConfig#name()}. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#host()}. */
        public Builder host(String value) {
            host = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#port()}. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#path()}. */
        public Builder path(String value) {
            path = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#ioThreads()}. */
        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#fanoutThreads()}. */
        public Builder fanoutThreads(int value) {
            fanoutThreads = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxConnections()}. */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxConnectionsPerAddress()}. */
        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxFrameBytes()}. */
        public Builder maxFrameBytes(int value) {
            maxFrameBytes = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxClientMessageBytes()}. */
        public Builder maxClientMessageBytes(int value) {
            maxClientMessageBytes = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxSubscriptionsPerSession()}. */
        public Builder maxSubscriptionsPerSession(int value) {
            maxSubscriptionsPerSession = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxClientErrorsPerSession()}. */
        public Builder maxClientErrorsPerSession(int value) {
            maxClientErrorsPerSession = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#writeBufferLowWaterMark()} and {@link WebSocketNodeConfig#writeBufferHighWaterMark()}. */
        public Builder writeBufferWaterMark(int low, int high) {
            writeBufferLowWaterMark = low;
            writeBufferHighWaterMark = high;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxPendingBytes()}. */
        public Builder maxPendingBytes(int value) {
            maxPendingBytes = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxPendingFrames()}. */
        public Builder maxPendingFrames(int value) {
            maxPendingFrames = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#socketSendBufferBytes()}. */
        public Builder socketSendBufferBytes(int value) {
            socketSendBufferBytes = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#pingInterval()}. */
        public Builder pingInterval(Duration value) {
            pingInterval = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#idleTimeout()}. */
        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#handshakeTimeout()}. */
        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#reorderWindow()}. */
        public Builder reorderWindow(Duration value) {
            reorderWindow = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#maxHeldEvents()}. */
        public Builder maxHeldEvents(int value) {
            maxHeldEvents = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#snapshotTimeout()}. */
        public Builder snapshotTimeout(Duration value) {
            snapshotTimeout = value;
            return this;
        }

        /** See {@link WebSocketNodeConfig#closeTimeout()}. */
        public Builder closeTimeout(Duration value) {
            closeTimeout = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException listing every invalid field with its value
         */
        public WebSocketNodeConfig build() {
            List<String> problems = new ArrayList<>();
            if (name == null || name.isBlank()) {
                problems.add(problem("name", name, "must not be blank"));
            }
            if (host == null || host.isBlank()) {
                problems.add(problem("host", host, "must not be blank"));
            }
            if (port < 0 || port > 65_535) {
                problems.add(problem("port", port, "must be within [0, 65535]"));
            }
            if (path == null || !path.startsWith("/") || path.contains("?") || path.contains("#")
                    || path.startsWith("/health") || path.equals("/metrics")) {
                problems.add(problem("path", path,
                        "must be an absolute path without query, other than /health/… and /metrics"));
            }
            atLeast(problems, "ioThreads", ioThreads, 1);
            atLeast(problems, "fanoutThreads", fanoutThreads, 1);
            atLeast(problems, "maxConnections", maxConnections, 1);
            atLeast(problems, "maxConnectionsPerAddress", maxConnectionsPerAddress, 1);
            if (maxConnectionsPerAddress > maxConnections && maxConnections >= 1) {
                problems.add(problem("maxConnectionsPerAddress", maxConnectionsPerAddress,
                        "must not exceed maxConnections (" + maxConnections + ")"));
            }
            atLeast(problems, "maxFrameBytes", maxFrameBytes, 128);
            atLeast(problems, "maxClientMessageBytes", maxClientMessageBytes, 32);
            if (maxClientMessageBytes > maxFrameBytes && maxFrameBytes >= 128) {
                problems.add(problem("maxClientMessageBytes", maxClientMessageBytes,
                        "must not exceed maxFrameBytes (" + maxFrameBytes + ")"));
            }
            atLeast(problems, "maxSubscriptionsPerSession", maxSubscriptionsPerSession, 1);
            atLeast(problems, "maxClientErrorsPerSession", maxClientErrorsPerSession, 1);
            atLeast(problems, "writeBufferLowWaterMark", writeBufferLowWaterMark, 1);
            if (writeBufferHighWaterMark < writeBufferLowWaterMark) {
                problems.add(problem("writeBufferHighWaterMark", writeBufferHighWaterMark,
                        "must be at least writeBufferLowWaterMark (" + writeBufferLowWaterMark + ")"));
            }
            atLeast(problems, "maxPendingBytes", maxPendingBytes, 1024);
            atLeast(problems, "maxPendingFrames", maxPendingFrames, 1);
            atLeast(problems, "socketSendBufferBytes", socketSendBufferBytes, 0);
            positive(problems, "pingInterval", pingInterval);
            positive(problems, "idleTimeout", idleTimeout);
            if (positiveDuration(pingInterval) && positiveDuration(idleTimeout)
                    && pingInterval.compareTo(idleTimeout) >= 0) {
                problems.add(problem("pingInterval", pingInterval,
                        "must be shorter than idleTimeout (" + idleTimeout + ") so that pongs keep sessions open"));
            }
            positive(problems, "handshakeTimeout", handshakeTimeout);
            if (reorderWindow == null || reorderWindow.isNegative()) {
                problems.add(problem("reorderWindow", reorderWindow, "must be zero or positive"));
            }
            atLeast(problems, "maxHeldEvents", maxHeldEvents, 1);
            positive(problems, "snapshotTimeout", snapshotTimeout);
            positive(problems, "closeTimeout", closeTimeout);
            if (!problems.isEmpty()) {
                StringBuilder sb = new StringBuilder("WebSocketNodeConfig has ").append(problems.size())
                        .append(problems.size() == 1 ? " invalid value:" : " invalid values:");
                for (int i = 0; i < problems.size(); i++) {
                    sb.append("\n  ").append(i + 1).append(". ").append(problems.get(i));
                }
                throw new IllegalArgumentException(sb.toString());
            }
            return new WebSocketNodeConfig(this);
        }

        private static String problem(String field, Object value, String rule) {
            return field + ": " + rule + ", was " + (value instanceof String ? "'" + value + "'" : value);
        }

        private static void atLeast(List<String> problems, String field, int value, int min) {
            if (value < min) {
                problems.add(problem(field, value, "must be at least " + min));
            }
        }

        private static boolean positiveDuration(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        private static void positive(List<String> problems, String field, Duration value) {
            if (!positiveDuration(value)) {
                problems.add(problem(field, value, "must be positive"));
            }
        }
    }
}
