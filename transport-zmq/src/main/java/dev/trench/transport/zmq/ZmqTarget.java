package dev.trench.transport.zmq;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a publisher or sender connects: a fixed list of ZeroMQ endpoints, or a DNS name whose addresses are looked up
 * again every {@link #resolveInterval()} (e.g. a Kubernetes headless service, one A record per pod). Immutable.
 *
 * <pre>{@code
 * ZmqTarget.endpoints("tcp://ws-1:23499", "tcp://ws-2:23499")
 * ZmqTarget.dns("websocket.auction.svc", 23499).withResolveInterval(Duration.ofSeconds(5))
 * }</pre>
 */
public final class ZmqTarget {
    private static final Pattern ENDPOINT = Pattern.compile("(tcp|ipc|inproc)://\\S+");

    /** Looks up the addresses behind a name. */
    @FunctionalInterface
    public interface Resolver {
        /**
         * Every address of {@code host}, each with {@code port} unless the resolver knows better.
         *
         * @throws Exception when the name cannot be resolved now (the previous addresses are kept)
         */
        List<InetSocketAddress> resolve(String host, int port) throws Exception;

        /** The system resolver: every address {@link InetAddress#getAllByName(String)} returns. */
        static Resolver system() {
            return (host, port) -> {
                List<InetSocketAddress> out = new ArrayList<>();
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    out.add(new InetSocketAddress(a, port));
                }
                return out;
            };
        }
    }

    private final List<String> endpoints;
    private final @Nullable String host;
    private final int port;
    private final Duration resolveInterval;
    private final Resolver resolver;

    private ZmqTarget(List<String> endpoints, @Nullable String host, int port, Duration resolveInterval,
            Resolver resolver) {
        this.endpoints = endpoints;
        this.host = host;
        this.port = port;
        this.resolveInterval = resolveInterval;
        this.resolver = resolver;
    }

    /** A fixed list of endpoints such as {@code tcp://ws-1:23499}; each gets its own connection. */
    public static ZmqTarget endpoints(List<String> endpoints) {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: must name at least one endpoint, was []");
        }
        for (String e : endpoints) {
            if (e == null || !ENDPOINT.matcher(e).matches()) {
                throw new IllegalArgumentException("endpoints: each must look like tcp://host:port, was '" + e + "'");
            }
        }
        if (endpoints.stream().distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("endpoints: must not repeat an endpoint, was " + endpoints);
        }
        return new ZmqTarget(List.copyOf(endpoints), null, 0, Duration.ofSeconds(5), Resolver.system());
    }

    /** {@link #endpoints(List)} with varargs. */
    public static ZmqTarget endpoints(String... endpoints) {
        return endpoints(List.of(endpoints));
    }

    /**
     * Every address behind a DNS name, on {@code port}, looked up again every 5 seconds by default.
     *
     * @param host a DNS name, e.g. the headless service of the websocket nodes
     */
    public static ZmqTarget dns(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: must be a DNS name, was '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: must be 1..65535, was " + port);
        }
        return new ZmqTarget(List.of(), host, port, Duration.ofSeconds(5), Resolver.system());
    }

    /** A copy looked up again at another interval (DNS targets only). */
    public ZmqTarget withResolveInterval(Duration interval) {
        Objects.requireNonNull(interval, "resolveInterval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("resolveInterval: must be >= 1ms, was " + interval);
        }
        requireDns("resolveInterval");
        return new ZmqTarget(endpoints, host, port, interval, resolver);
    }

    /** A copy using another resolver (DNS targets only): for tests, or a resolver of your own. */
    public ZmqTarget withResolver(Resolver value) {
        Objects.requireNonNull(value, "resolver");
        requireDns("resolver");
        return new ZmqTarget(endpoints, host, port, resolveInterval, value);
    }

    private void requireDns(String field) {
        if (host == null) {
            throw new IllegalStateException(field + ": only a DNS target is resolved; this one is a fixed list "
                    + endpoints);
        }
    }

    /** Whether this target is a DNS name (else a fixed list). */
    public boolean isDns() {
        return host != null;
    }

    /** The fixed endpoints; empty for a DNS target. */
    public List<String> fixedEndpoints() {
        return endpoints;
    }

    /** The DNS name, or {@code null} for a fixed list. */
    public @Nullable String host() {
        return host;
    }

    /** The port used with every resolved address (DNS targets). */
    public int port() {
        return port;
    }

    /** How often the DNS name is looked up again. */
    public Duration resolveInterval() {
        return resolveInterval;
    }

    /** The resolver of the DNS name. */
    public Resolver resolver() {
        return resolver;
    }

    /** The ZeroMQ endpoint of a resolved address, e.g. {@code tcp://10.0.3.7:23499} or {@code tcp://[::1]:23499}. */
    public static String endpointOf(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        String h = a == null ? address.getHostString() : a.getHostAddress();
        if (h.indexOf(':') >= 0) {
            int zone = h.indexOf('%');
            h = "[" + (zone < 0 ? h : h.substring(0, zone)) + "]";
        }
        return "tcp://" + h + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return host != null ? "dns:" + host + ":" + port + " (every " + resolveInterval + ")" : endpoints.toString();
    }
}
