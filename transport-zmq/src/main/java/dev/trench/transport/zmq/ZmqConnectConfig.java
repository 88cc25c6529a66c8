package dev.trench.transport.zmq;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a connecting side: a {@link ZmqEventPublisher} (one socket per endpoint, every event to every
 * endpoint) or a {@link ZmqCommandSender} (one socket, each command to one endpoint). Immutable; built with
 * {@link #builder(String, ZmqTarget)}, every value validated with a message naming the field and the value.
 */
public final class ZmqConnectConfig {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

    private final String name;
    private final ZmqTarget target;
    private final ZmqSocketOptions socketOptions;
    private final int queueCapacity;
    private final Duration heartbeatInterval;
    private final Duration sendTimeout;

    private ZmqConnectConfig(Builder b) {
        this.name = b.name;
        this.target = b.target;
        this.socketOptions = b.socketOptions;
        this.queueCapacity = b.queueCapacity;
        this.heartbeatInterval = b.heartbeatInterval;
        this.sendTimeout = b.sendTimeout;
    }

    /**
     * Starts a configuration.
     *
     * @param name   what this channel is called in logs, thread names and the {@code channel} tag of its meters:
     *               lowercase words, e.g. {@code auction-events}, or for a command sender the worker service,
     *               e.g. {@code auction-worker}
     * @param target where to connect
     */
    public static Builder builder(String name, ZmqTarget target) {
        return new Builder(name, target);
    }

    /** The channel's name. */
    public String name() {
        return name;
    }

    /** Where to connect. */
    public ZmqTarget target() {
        return target;
    }

    /** Options of every socket. */
    public ZmqSocketOptions socketOptions() {
        return socketOptions;
    }

    /**
     * Messages waiting for the I/O thread before {@code publish}/{@code send} fails with an overload; also the most
     * messages waiting for room in one endpoint's socket (events) or in the socket (commands).
     */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How often an idle publisher tells its subscribers its last sequence number; zero: never. Events only. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /**
     * How long a message may wait for room in a socket (its high-water mark reached, or its connection not yet made)
     * before it is given up: a command fails with an overload, an event is dropped for that endpoint only.
     */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    @Override
    public String toString() {
        return "ZmqConnectConfig{" + name + " -> " + target + ", " + socketOptions + ", queueCapacity="
                + queueCapacity + ", heartbeatInterval=" + heartbeatInterval + ", sendTimeout=" + sendTimeout + "}";
    }

    /** Builds a {@link ZmqConnectConfig}. */
    public static final class Builder {
        private final String name;
        private final ZmqTarget target;
        private ZmqSocketOptions socketOptions = ZmqSocketOptions.defaults();
        private int queueCapacity = 10_000;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration sendTimeout = Duration.ofSeconds(5);

        private Builder(@Nullable String name, ZmqTarget target) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: must be lowercase words separated by '.' or '-', was '"
                        + name + "'");
            }
            this.name = name;
            this.target = Objects.requireNonNull(target, "target");
        }

        /** Options of every socket; {@link ZmqSocketOptions#defaults()} by default. */
        public Builder socketOptions(ZmqSocketOptions value) {
            this.socketOptions = Objects.requireNonNull(value, "socketOptions");
            return this;
        }

        /** Capacity of the queue in front of the I/O thread; 10,000 by default. */
        public Builder queueCapacity(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("queueCapacity: must be >= 1, was " + value);
            }
            this.queueCapacity = value;
            return this;
        }

        /** How often an idle publisher sends a heartbeat; 1 s by default, zero turns heartbeats off. */
        public Builder heartbeatInterval(Duration value) {
            Objects.requireNonNull(value, "heartbeatInterval");
            if (value.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval: must be >= 0 (0 = off), was " + value);
            }
            this.heartbeatInterval = value;
            return this;
        }

        /** How long a message may wait for room in a socket; 5 s by default. */
        public Builder sendTimeout(Duration value) {
            Objects.requireNonNull(value, "sendTimeout");
            if (value.toMillis() < 1) {
                throw new IllegalArgumentException("sendTimeout: must be >= 1ms, was " + value);
            }
            this.sendTimeout = value;
            return this;
        }

        /** Builds the configuration. */
        public ZmqConnectConfig build() {
            return new ZmqConnectConfig(this);
        }
    }
}
