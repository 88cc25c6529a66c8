package dev.trench.transport.http;

import dev.trench.transport.http.internal.ConfigCheck;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link HttpServer}: where it listens, how many I/O threads it runs, request limits, and the timings
 * of idle connections and of draining. Immutable; made with {@link #builder()}, derived with {@link #from(HttpServerConfig)}.
 *
 * <pre>{@code
 * HttpServerConfig config = HttpServerConfig.builder().name("worker").port(8090).drainTimeout(Duration.ofSeconds(20)).build();
 * }</pre>
 */
public final class HttpServerConfig {
    /** The default body limit: 64 KiB, the wire format's default message limit. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

    private final String name;
    private final String host;
    private final int port;
    private final int ioThreads;
    private final int maxRequestBytes;
    private final int maxInitialLineLength;
    private final int maxHeaderBytes;
    private final Duration idleTimeout;
    private final Duration retryAfter;
    private final Duration drainTimeout;

    private HttpServerConfig(Builder b) {
        this.name = b.name;
        this.host = b.host;
        this.port = b.port;
        this.ioThreads = b.ioThreads;
        this.maxRequestBytes = b.maxRequestBytes;
        this.maxInitialLineLength = b.maxInitialLineLength;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.idleTimeout = b.idleTimeout;
        this.retryAfter = b.retryAfter;
        this.drainTimeout = b.drainTimeout;
    }

    /** A builder with the defaults: {@code 0.0.0.0:8080}, one I/O thread per core, 64 KiB bodies. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the values of {@code base}. */
    public static Builder from(HttpServerConfig base) {
        return new Builder(base);
    }

    /** The server's name in logs, thread names and metric tags (e.g. {@code worker}, {@code api}). */
    public String name() {
        return name;
    }

    /** The address to bind; {@code 0.0.0.0} (every interface) by default. */
    public String host() {
        return host;
    }

    /** The port to bind; 0 picks a free ephemeral port (see {@link HttpServer#port()}). */
    public int port() {
        return port;
    }

    /** Netty I/O threads; they decode requests and run {@link HttpHandler}s, so handlers must not block. */
    public int ioThreads() {
        return ioThreads;
    }

    /** The largest request body accepted; a larger one is answered 413 and discarded. */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** The longest request line accepted (method, URI, version). */
    public int maxInitialLineLength() {
        return maxInitialLineLength;
    }

    /** The largest header block accepted. */
    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /** A connection without traffic for this long is closed (when no request is in progress on it). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The value of {@code Retry-After} on 503 answers (rounded up to whole seconds, at least 1). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** How long a drain waits for work in progress before closing anyway (and logging what was left). */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    @Override
    public String toString() {
        return "HttpServerConfig{name=" + name + ", " + host + ":" + port + ", ioThreads=" + ioThreads
                + ", maxRequestBytes=" + maxRequestBytes + ", idleTimeout=" + idleTimeout + ", retryAfter="
                + retryAfter + ", drainTimeout=" + drainTimeout + "}";
    }

    /** Builds an {@link HttpServerConfig}; {@link #build()} reports every invalid value at once. */
    public static final class Builder {
        private String name = "http";
        private String host = "0.0.0.0";
        private int port = 8080;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private int maxInitialLineLength = 4096;
        private int maxHeaderBytes = 8192;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration retryAfter = Duration.ofSeconds(1);
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        private Builder(HttpServerConfig c) {
            name = c.name;
            host = c.host;
            port = c.port;
            ioThreads = c.ioThreads;
            maxRequestBytes = c.maxRequestBytes;
            maxInitialLineLength = c.maxInitialLineLength;
            maxHeaderBytes = c.maxHeaderBytes;
            idleTimeout = c.idleTimeout;
            retryAfter = c.retryAfter;
            drainTimeout = c.drainTimeout;
        }

        /** See {@link HttpServerConfig#name()}. */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /** See {@link HttpServerConfig#host()}. */
        public Builder host(String value) {
            this.host = value;
            return this;
        }

        /** See {@link HttpServerConfig#port()}. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** See {@link HttpServerConfig#ioThreads()}. */
        public Builder ioThreads(int value) {
            this.ioThreads = value;
            return this;
        }

        /** See {@link HttpServerConfig#maxRequestBytes()}. */
        public Builder maxRequestBytes(int value) {
            this.maxRequestBytes = value;
            return this;
        }

        /** See {@link HttpServerConfig#maxInitialLineLength()}. */
        public Builder maxInitialLineLength(int value) {
            this.maxInitialLineLength = value;
            return this;
        }

        /** See {@link HttpServerConfig#maxHeaderBytes()}. */
        public Builder maxHeaderBytes(int value) {
            this.maxHeaderBytes = value;
            return this;
        }

        /** See {@link HttpServerConfig#idleTimeout()}. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /** See {@link HttpServerConfig#retryAfter()}. */
        public Builder retryAfter(Duration value) {
            this.retryAfter = value;
            return this;
        }

        /** See {@link HttpServerConfig#drainTimeout()}. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming every invalid field and its value
         */
        public HttpServerConfig build() {
            ConfigCheck check = new ConfigCheck("HttpServerConfig");
            check.require(name != null && !name.isBlank(), "name", name, "must not be blank");
            check.require(host != null && !host.isBlank(), "host", host, "must not be blank");
            check.require(port >= 0 && port <= 65535, "port", port, "must be within [0, 65535]");
            check.atLeast("ioThreads", ioThreads, 1);
            check.require(maxRequestBytes >= 1 && maxRequestBytes <= 64 * 1024 * 1024, "maxRequestBytes",
                    maxRequestBytes, "must be within [1, 67108864]");
            check.atLeast("maxInitialLineLength", maxInitialLineLength, 256);
            check.atLeast("maxHeaderBytes", maxHeaderBytes, 256);
            check.positive("idleTimeout", idleTimeout);
            check.positive("retryAfter", retryAfter);
            check.positive("drainTimeout", drainTimeout);
            check.throwIfAny();
            return new HttpServerConfig(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpServerConfig c && c.name.equals(name) && c.host.equals(host) && c.port == port
                && c.ioThreads == ioThreads && c.maxRequestBytes == maxRequestBytes
                && c.maxInitialLineLength == maxInitialLineLength && c.maxHeaderBytes == maxHeaderBytes
                && c.idleTimeout.equals(idleTimeout) && c.retryAfter.equals(retryAfter)
                && c.drainTimeout.equals(drainTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, host, port, ioThreads, maxRequestBytes, idleTimeout, retryAfter, drainTimeout);
    }
}
