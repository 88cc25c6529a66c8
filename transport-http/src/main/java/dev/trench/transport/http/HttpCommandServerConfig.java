package dev.trench.transport.http;

import dev.trench.transport.http.internal.ConfigCheck;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of an {@link HttpCommandServer}: its HTTP server, the bounded queue and worker threads, the dedupe window,
 * and the commands answered in sync mode. Immutable; made with {@link #builder()}, derived with
 * {@link #from(HttpCommandServerConfig)}.
 *
 * <pre>{@code
 * HttpCommandServerConfig config = HttpCommandServerConfig.builder()
 *         .server(HttpServerConfig.builder().name("auction-worker").port(8090).build())
 *         .queueCapacity(2_000)
 *         .workerThreads(8)
 *         .dedupeWindow(Duration.ofMinutes(10))
 *         .syncCommand("auction.close")
 *         .build();
 * }</pre>
 */
public final class HttpCommandServerConfig {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

    private final HttpServerConfig server;
    private final String path;
    private final int queueCapacity;
    private final int workerThreads;
    private final Duration dedupeWindow;
    private final int dedupeMaxEntries;
    private final Set<String> syncCommands;

    private HttpCommandServerConfig(Builder b) {
        this.server = b.server;
        this.path = b.path;
        this.queueCapacity = b.queueCapacity;
        this.workerThreads = b.workerThreads;
        this.dedupeWindow = b.dedupeWindow;
        this.dedupeMaxEntries = b.dedupeMaxEntries;
        this.syncCommands = Set.copyOf(b.syncCommands);
    }

    /** A builder with the defaults: server {@code worker} on port 8090, queue of 1024, one worker thread per core. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the values of {@code base}. */
    public static Builder from(HttpCommandServerConfig base) {
        return new Builder(base);
    }

    /** The HTTP server's settings (port, limits, drain timeout, {@code Retry-After}). */
    public HttpServerConfig server() {
        return server;
    }

    /** The path commands are posted to; {@code /commands} by default. */
    public String path() {
        return path;
    }

    /**
     * How many accepted commands may wait for a worker thread. A command is acknowledged only once it has a place in
     * the queue; when none is left the answer is 503 with {@code Retry-After}.
     */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Threads that take commands from the queue and dispatch them into the bus, one command at a time each. */
    public int workerThreads() {
        return workerThreads;
    }

    /** How long an accepted command id is remembered, so that its resend is acknowledged without a second run. */
    public Duration dedupeWindow() {
        return dedupeWindow;
    }

    /** The most command ids remembered at once; beyond it the oldest are forgotten early (bounded memory). */
    public int dedupeMaxEntries() {
        return dedupeMaxEntries;
    }

    /** Logical names of the commands answered in sync mode by default (their result or failure, not a 202). */
    public Set<String> syncCommands() {
        return syncCommands;
    }

    @Override
    public String toString() {
        return "HttpCommandServerConfig{" + server + ", path=" + path + ", queueCapacity=" + queueCapacity
                + ", workerThreads=" + workerThreads + ", dedupeWindow=" + dedupeWindow + ", dedupeMaxEntries="
                + dedupeMaxEntries + ", syncCommands=" + syncCommands + "}";
    }

    /** Builds an {@link HttpCommandServerConfig}; {@link #build()} reports every invalid value at once. */
    public static final class Builder {
        private HttpServerConfig server = HttpServerConfig.builder().name("worker").port(8090).build();
        private String path = "/commands";
        private int queueCapacity = 1024;
        private int workerThreads = Runtime.getRuntime().availableProcessors();
        private Duration dedupeWindow = Duration.ofMinutes(10);
        private int dedupeMaxEntries = 100_000;
        private final Set<String> syncCommands = new LinkedHashSet<>();

        private Builder() {
        }

        private Builder(HttpCommandServerConfig c) {
            server = c.server;
            path = c.path;
            queueCapacity = c.queueCapacity;
            workerThreads = c.workerThreads;
            dedupeWindow = c.dedupeWindow;
            dedupeMaxEntries = c.dedupeMaxEntries;
            syncCommands.addAll(c.syncCommands);
        }

        /** See {@link HttpCommandServerConfig#server()}. */
        public Builder server(HttpServerConfig value) {
            this.server = Objects.requireNonNull(value, "server");
            return this;
        }

        /** See {@link HttpCommandServerConfig#path()}. */
        public Builder path(String value) {
            this.path = value;
            return this;
        }

        /** See {@link HttpCommandServerConfig#queueCapacity()}. */
        public Builder queueCapacity(int value) {
            this.queueCapacity = value;
            return this;
        }

        /** See {@link HttpCommandServerConfig#workerThreads()}. */
        public Builder workerThreads(int value) {
            this.workerThreads = value;
            return this;
        }

        /** See {@link HttpCommandServerConfig#dedupeWindow()}. */
        public Builder dedupeWindow(Duration value) {
            this.dedupeWindow = value;
            return this;
        }

        /** See {@link HttpCommandServerConfig#dedupeMaxEntries()}. */
        public Builder dedupeMaxEntries(int value) {
            this.dedupeMaxEntries = value;
            return this;
        }

        /** Answers the named command in sync mode by default; see {@link HttpCommandServerConfig#syncCommands()}. */
        public Builder syncCommand(String logicalName) {
            this.syncCommands.add(logicalName);
            return this;
        }

        /** {@link #syncCommand(String)} for each name. */
        public Builder syncCommands(Collection<String> logicalNames) {
            logicalNames.forEach(this::syncCommand);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming every invalid field and its value
         */
        public HttpCommandServerConfig build() {
            ConfigCheck check = new ConfigCheck("HttpCommandServerConfig");
            check.require(path != null && path.startsWith("/") && !path.contains("{") && !path.contains("?"),
                    "path", path, "must be an absolute path without parameters, such as /commands");
            check.require(queueCapacity >= 1 && queueCapacity <= 10_000_000, "queueCapacity", queueCapacity,
                    "must be within [1, 10000000]");
            check.require(workerThreads >= 1 && workerThreads <= 10_000, "workerThreads", workerThreads,
                    "must be within [1, 10000]");
            check.positive("dedupeWindow", dedupeWindow);
            check.require(dedupeMaxEntries >= 1, "dedupeMaxEntries", dedupeMaxEntries, "must be >= 1");
            for (String name : syncCommands) {
                check.require(name != null && NAME.matcher(name).matches(), "syncCommands", name,
                        "must hold logical command names such as auction.raise-bid");
            }
            check.throwIfAny();
            return new HttpCommandServerConfig(this);
        }
    }
}
