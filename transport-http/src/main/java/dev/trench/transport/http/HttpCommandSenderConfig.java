package dev.trench.transport.http;

import dev.trench.bus.Command;
import dev.trench.transport.http.internal.ConfigCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link HttpCommandSender}: the worker service it sends to and where its endpoints come from, timeouts,
 * connection pooling, retries before an ack, and routing keys. Immutable; made with {@link #builder(String)}, derived
 * with {@link #from(HttpCommandSenderConfig)}.
 *
 * <pre>{@code
 * // a Kubernetes headless service, re-resolved every 5 seconds, every address used
 * HttpCommandSenderConfig config = HttpCommandSenderConfig.builder("auction-worker")
 *         .dns("auction-worker.default.svc.cluster.local", 8090)
 *         .routingKey(RaiseBid.class, RaiseBid::auctionId)
 *         .build();
 * // or a static list
 * HttpCommandSenderConfig.builder("auction-worker").endpoints(List.of("10.0.3.7:8090", "10.0.3.8:8090")).build();
 * }</pre>
 */
public final class HttpCommandSenderConfig {
    private final String worker;
    private final List<String> endpoints;
    private final @Nullable String dnsName;
    private final int dnsPort;
    private final Duration dnsRefreshInterval;
    private final String path;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Duration deadEndpointCooldown;
    private final int maxConnectionsPerEndpoint;
    private final int maxPendingAcquires;
    private final Duration idleConnectionTimeout;
    private final int ioThreads;
    private final Map<Class<?>, Function<Object, String>> routingKeys;

    private HttpCommandSenderConfig(Builder b) {
        this.worker = b.worker;
        this.endpoints = List.copyOf(b.endpoints);
        this.dnsName = b.dnsName;
        this.dnsPort = b.dnsPort;
        this.dnsRefreshInterval = b.dnsRefreshInterval;
        this.path = b.path;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.maxAttempts = b.maxAttempts;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.deadEndpointCooldown = b.deadEndpointCooldown;
        this.maxConnectionsPerEndpoint = b.maxConnectionsPerEndpoint;
        this.maxPendingAcquires = b.maxPendingAcquires;
        this.idleConnectionTimeout = b.idleConnectionTimeout;
        this.ioThreads = b.ioThreads;
        this.routingKeys = Collections.unmodifiableMap(new LinkedHashMap<>(b.routingKeys));
    }

    /**
     * A builder for sending to the named worker service; set its endpoints with {@link Builder#endpoints(List)} or
     * {@link Builder#dns(String, int)}.
     *
     * @param worker the logical worker service, as in {@link dev.trench.bus.HandledAsynchronously#worker()}
     */
    public static Builder builder(String worker) {
        return new Builder(worker);
    }

    /** A builder starting from the values of {@code base}. */
    public static Builder from(HttpCommandSenderConfig base) {
        return new Builder(base);
    }

    /** The logical worker service, e.g. {@code auction-worker}; the {@code channel} tag of the sender's meters. */
    public String worker() {
        return worker;
    }

    /** The static endpoints ({@code host:port}); empty when the endpoints come from DNS. */
    public List<String> endpoints() {
        return endpoints;
    }

    /** The DNS name re-resolved for endpoints, or {@code null} for a static list. */
    public @Nullable String dnsName() {
        return dnsName;
    }

    /** The port used with every address of {@link #dnsName()}. */
    public int dnsPort() {
        return dnsPort;
    }

    /** How often {@link #dnsName()} is resolved again; 5 seconds by default. */
    public Duration dnsRefreshInterval() {
        return dnsRefreshInterval;
    }

    /** The path of the workers' command endpoint; {@code /commands} by default. */
    public String path() {
        return path;
    }

    /** The longest wait for a TCP connection; 1 second by default. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The longest wait for an answer to one attempt (also for a free pooled connection); 5 seconds by default. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Attempts per command, the first included; 3 by default. Each retry goes to another endpoint when one is left. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait before the first retry, doubling per retry up to {@link #maxRetryBackoff()}; 10 ms by default. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** The longest wait between two attempts; 1 second by default. */
    public Duration maxRetryBackoff() {
        return maxRetryBackoff;
    }

    /**
     * How long an endpoint that refused a connection (or could not be reached in time) is skipped; 5 seconds by
     * default. Afterwards it is tried again; DNS re-resolution drops it for good once it is gone.
     */
    public Duration deadEndpointCooldown() {
        return deadEndpointCooldown;
    }

    /** Pooled keep-alive connections per endpoint; 32 by default. */
    public int maxConnectionsPerEndpoint() {
        return maxConnectionsPerEndpoint;
    }

    /** Sends that may wait for a pooled connection per endpoint; 1024 by default. */
    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }

    /** A pooled connection unused for this long is closed; 30 seconds by default (keep it below the server's). */
    public Duration idleConnectionTimeout() {
        return idleConnectionTimeout;
    }

    /** Netty I/O threads of the sender; 2 by default. */
    public int ioThreads() {
        return ioThreads;
    }

    /** The routing key functions, per command class. */
    public Map<Class<?>, Function<Object, String>> routingKeys() {
        return routingKeys;
    }

    /** The routing key of a command, or {@code null} when its type declares none (or the function returns null). */
    public @Nullable String routingKey(Object command) {
        Function<Object, String> f = routingKeys.get(command.getClass());
        if (f == null) {
            for (Map.Entry<Class<?>, Function<Object, String>> e : routingKeys.entrySet()) {
                if (e.getKey().isInstance(command)) {
                    f = e.getValue();
                    break;
                }
            }
        }
        return f == null ? null : f.apply(command);
    }

    @Override
    public String toString() {
        return "HttpCommandSenderConfig{worker=" + worker + ", "
                + (dnsName == null ? "endpoints=" + endpoints : "dns=" + dnsName + ":" + dnsPort + " every "
                + dnsRefreshInterval) + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxAttempts=" + maxAttempts + ", routingKeys=" + routingKeys.keySet().stream()
                .map(Class::getSimpleName).toList() + "}";
    }

    /** Builds an {@link HttpCommandSenderConfig}; {@link #build()} reports every invalid value at once. */
    public static final class Builder {
        private final String worker;
        private final List<String> endpoints = new ArrayList<>();
        private @Nullable String dnsName;
        private int dnsPort = 8090;
        private Duration dnsRefreshInterval = Duration.ofSeconds(5);
        private String path = "/commands";
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxAttempts = 3;
        private Duration retryBackoff = Duration.ofMillis(10);
        private Duration maxRetryBackoff = Duration.ofSeconds(1);
        private Duration deadEndpointCooldown = Duration.ofSeconds(5);
        private int maxConnectionsPerEndpoint = 32;
        private int maxPendingAcquires = 1024;
        private Duration idleConnectionTimeout = Duration.ofSeconds(30);
        private int ioThreads = 2;
        private final Map<Class<?>, Function<Object, String>> routingKeys = new LinkedHashMap<>();

        private Builder(String worker) {
            this.worker = worker;
        }

        private Builder(HttpCommandSenderConfig c) {
            worker = c.worker;
            endpoints.addAll(c.endpoints);
            dnsName = c.dnsName;
            dnsPort = c.dnsPort;
            dnsRefreshInterval = c.dnsRefreshInterval;
            path = c.path;
            connectTimeout = c.connectTimeout;
            requestTimeout = c.requestTimeout;
            maxAttempts = c.maxAttempts;
            retryBackoff = c.retryBackoff;
            maxRetryBackoff = c.maxRetryBackoff;
            deadEndpointCooldown = c.deadEndpointCooldown;
            maxConnectionsPerEndpoint = c.maxConnectionsPerEndpoint;
            maxPendingAcquires = c.maxPendingAcquires;
            idleConnectionTimeout = c.idleConnectionTimeout;
            ioThreads = c.ioThreads;
            routingKeys.putAll(c.routingKeys);
        }

        /** A static list of endpoints, each {@code host:port} (IPv6: {@code [::1]:8090}); replaces DNS. */
        public Builder endpoints(List<String> values) {
            endpoints.clear();
            endpoints.addAll(values);
            dnsName = null;
            return this;
        }

        /** Endpoints from DNS: every address of {@code name}, each with {@code port}; replaces a static list. */
        public Builder dns(String name, int port) {
            this.dnsName = name;
            this.dnsPort = port;
            endpoints.clear();
            return this;
        }

        /** See {@link HttpCommandSenderConfig#dnsRefreshInterval()}. */
        public Builder dnsRefreshInterval(Duration value) {
            this.dnsRefreshInterval = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#path()}. */
        public Builder path(String value) {
            this.path = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#connectTimeout()}. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#requestTimeout()}. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#maxAttempts()}. */
        public Builder maxAttempts(int value) {
            this.maxAttempts = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#retryBackoff()}. */
        public Builder retryBackoff(Duration value) {
            this.retryBackoff = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#maxRetryBackoff()}. */
        public Builder maxRetryBackoff(Duration value) {
            this.maxRetryBackoff = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#deadEndpointCooldown()}. */
        public Builder deadEndpointCooldown(Duration value) {
            this.deadEndpointCooldown = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#maxConnectionsPerEndpoint()}. */
        public Builder maxConnectionsPerEndpoint(int value) {
            this.maxConnectionsPerEndpoint = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#maxPendingAcquires()}. */
        public Builder maxPendingAcquires(int value) {
            this.maxPendingAcquires = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#idleConnectionTimeout()}. */
        public Builder idleConnectionTimeout(Duration value) {
            this.idleConnectionTimeout = value;
            return this;
        }

        /** See {@link HttpCommandSenderConfig#ioThreads()}. */
        public Builder ioThreads(int value) {
            this.ioThreads = value;
            return this;
        }

        /**
         * Declares the routing key of a command type, e.g. {@code routingKey(RaiseBid.class, RaiseBid::auctionId)}:
         * commands with the same key go to the same endpoint while the endpoint set is unchanged (rendezvous hashing),
         * and only the keys of an endpoint that left or joined move. A function returning {@code null} leaves that
         * command unrouted (spread by load).
         */
        @SuppressWarnings("unchecked")
        public <C extends Command<?>> Builder routingKey(Class<C> commandType, Function<? super C, String> key) {
            Objects.requireNonNull(commandType, "commandType");
            Objects.requireNonNull(key, "key");
            routingKeys.put(commandType, command -> key.apply((C) command));
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming every invalid field and its value
         */
        public HttpCommandSenderConfig build() {
            ConfigCheck check = new ConfigCheck("HttpCommandSenderConfig");
            check.require(worker != null && !worker.isBlank(), "worker", worker, "must name a worker service");
            if (dnsName == null) {
                check.require(!endpoints.isEmpty(), "endpoints", endpoints,
                        "must list at least one host:port, or use dns(name, port)");
                for (String e : endpoints) {
                    String problem = HostPort.problem(e);
                    if (problem != null) {
                        check.require(false, "endpoints", e, problem);
                    }
                }
                if (endpoints.stream().distinct().count() != endpoints.size()) {
                    check.require(false, "endpoints", endpoints, "must not list an endpoint twice");
                }
            } else {
                check.require(!dnsName.isBlank() && !dnsName.contains(":") && !dnsName.contains("/"), "dnsName",
                        dnsName, "must be a host name without port or scheme");
                check.require(dnsPort >= 1 && dnsPort <= 65535, "dnsPort", dnsPort, "must be within [1, 65535]");
                check.positive("dnsRefreshInterval", dnsRefreshInterval);
            }
            check.require(path != null && path.startsWith("/"), "path", path, "must be an absolute path");
            check.positive("connectTimeout", connectTimeout);
            check.positive("requestTimeout", requestTimeout);
            check.require(maxAttempts >= 1 && maxAttempts <= 100, "maxAttempts", maxAttempts,
                    "must be within [1, 100]");
            check.require(retryBackoff != null && retryBackoff.toMillis() >= 1, "retryBackoff", retryBackoff,
                    "must be at least 1 ms");
            check.require(maxRetryBackoff != null && retryBackoff != null
                    && maxRetryBackoff.compareTo(retryBackoff) >= 0, "maxRetryBackoff", maxRetryBackoff,
                    "must be >= retryBackoff (" + retryBackoff + ")");
            check.positive("deadEndpointCooldown", deadEndpointCooldown);
            check.require(maxConnectionsPerEndpoint >= 1, "maxConnectionsPerEndpoint", maxConnectionsPerEndpoint,
                    "must be >= 1");
            check.require(maxPendingAcquires >= 1, "maxPendingAcquires", maxPendingAcquires, "must be >= 1");
            check.positive("idleConnectionTimeout", idleConnectionTimeout);
            check.require(ioThreads >= 1, "ioThreads", ioThreads, "must be >= 1");
            check.throwIfAny();
            return new HttpCommandSenderConfig(this);
        }
    }

    /** Parses and checks {@code host:port}. */
    static final class HostPort {
        private HostPort() {
        }

        static @Nullable String problem(@Nullable String value) {
            if (value == null || value.isBlank()) {
                return "must be host:port";
            }
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                return "must be host:port";
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") != host.endsWith("]")) {
                return "must write an IPv6 host in brackets, e.g. [::1]:8090";
            }
            if (!host.startsWith("[") && host.contains(":")) {
                return "must write an IPv6 host in brackets, e.g. [::1]:8090";
            }
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    return "must have a port within [1, 65535]";
                }
            } catch (NumberFormatException e) {
                return "must end with a numeric port";
            }
            return null;
        }
    }
}
