package dev.trench.transport.zmq;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a binding side: a {@link ZmqEventSubscriber} or a {@link ZmqCommandReceiver}, each one PULL
 * socket bound to a local endpoint that the other side connects to. Immutable; built with
 * {@link #builder(String, String)}, every value validated with a message naming the field and the value.
 */
public final class ZmqBindConfig {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");
    private static final Pattern ENDPOINT = Pattern.compile("(tcp|ipc|inproc)://\\S+");

    private final String name;
    private final String bindEndpoint;
    private final ZmqSocketOptions socketOptions;
    private final int maxInFlight;

    private ZmqBindConfig(Builder b) {
        this.name = b.name;
        this.bindEndpoint = b.bindEndpoint;
        this.socketOptions = b.socketOptions;
        this.maxInFlight = b.maxInFlight;
    }

    /**
     * Starts a configuration.
     *
     * @param name         the channel's name in logs, thread names and the {@code channel} tag of its meters,
     *                     e.g. {@code auction-events}
     * @param bindEndpoint where to bind, e.g. {@code tcp://*:23499}; a port {@code *} picks a free one (see the
     *                     component's {@code endpoint()})
     */
    public static Builder builder(String name, String bindEndpoint) {
        return new Builder(name, bindEndpoint);
    }

    /** The channel's name. */
    public String name() {
        return name;
    }

    /** Where the socket binds. */
    public String bindEndpoint() {
        return bindEndpoint;
    }

    /** Options of the socket. */
    public ZmqSocketOptions socketOptions() {
        return socketOptions;
    }

    /**
     * Commands dispatched and not yet completed before the receiver stops reading (commands only): beyond it the
     * socket's queue fills and senders see an overload.
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return "ZmqBindConfig{" + name + " @ " + bindEndpoint + ", " + socketOptions + ", maxInFlight=" + maxInFlight
                + "}";
    }

    /** Builds a {@link ZmqBindConfig}. */
    public static final class Builder {
        private final String name;
        private final String bindEndpoint;
        private ZmqSocketOptions socketOptions = ZmqSocketOptions.defaults();
        private int maxInFlight = 256;

        private Builder(@Nullable String name, @Nullable String bindEndpoint) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: must be lowercase words separated by '.' or '-', was '"
                        + name + "'");
            }
            if (bindEndpoint == null || !ENDPOINT.matcher(bindEndpoint).matches()) {
                throw new IllegalArgumentException("bindEndpoint: must look like tcp://*:23499, was '" + bindEndpoint
                        + "'");
            }
            this.name = name;
            this.bindEndpoint = bindEndpoint;
        }

        /** Options of the socket; {@link ZmqSocketOptions#defaults()} by default. */
        public Builder socketOptions(ZmqSocketOptions value) {
            this.socketOptions = Objects.requireNonNull(value, "socketOptions");
            return this;
        }

        /** Commands in flight before the receiver stops reading; 256 by default. Commands only. */
        public Builder maxInFlight(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxInFlight: must be >= 1, was " + value);
            }
            this.maxInFlight = value;
            return this;
        }

        /** Builds the configuration. */
        public ZmqBindConfig build() {
            return new ZmqBindConfig(this);
        }
    }
}
