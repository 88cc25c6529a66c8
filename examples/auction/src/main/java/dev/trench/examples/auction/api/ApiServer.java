package dev.trench.examples.auction.api;

import dev.trench.bus.CommandBus;
import dev.trench.examples.auction.api.internal.ApiRoutes;
import dev.trench.examples.auction.api.internal.StaticAssets;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.transport.http.HttpReply;
import dev.trench.transport.http.HttpServer;
import dev.trench.transport.http.HttpServerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The auction API and the web page, on a Trench {@link HttpServer} (so it also answers {@code /health/live},
 * {@code /health/ready} and {@code /metrics}).
 *
 * <table>
 * <caption>Routes</caption>
 * <tr><th>route</th><th>answer</th></tr>
 * <tr><td>{@code POST /session {"name"}}</td><td>200 {@code {"userId","name","token","expiresAt"}}</td></tr>
 * <tr><td>{@code POST /auctions/{id}/bids {"amount":"12.50"}}, {@code Authorization: Bearer <token>}</td>
 *     <td>202 {@code {"commandId"}} once a worker acknowledged the {@code RaiseBid} (its user is the token's);
 *     400 naming the field (an amount must be a decimal string; a JSON number is refused), 401 for a missing, forged
 *     or expired token, 429 with {@code Retry-After} past the user's bid rate, 503 when no worker accepts</td></tr>
 * <tr><td>{@code POST /auctions {"id","title","startingPrice","minIncrement","endsAt"}}</td>
 *     <td>202 {@code {"commandId","auctionId"}} once a worker acknowledged the {@code OpenAuction}; 409 for a known
 *     id</td></tr>
 * <tr><td>{@code GET /auctions/{id}}</td><td>{@code {"id","title","highest","leader","seq","status","endsAt",
 *     "startingPrice","minIncrement","minimumNextBid"}} (amounts as strings), 404 unknown</td></tr>
 * <tr><td>{@code GET /auctions}</td><td>the open auctions, as a JSON array of the same objects</td></tr>
 * <tr><td>{@code GET /config}</td><td>{@code {"websockets": ["ws://localhost:8081/ws", ...]}}</td></tr>
 * <tr><td>{@code GET /}, {@code /app.js}, {@code /app.css}</td><td>the page</td></tr>
 * </table>
 * Errors are {@code application/problem+json} (RFC 9457) with {@code field} where a field is at fault.
 *
 * <p>The API owns no auction logic: commands go through its bus to the workers (see {@link ApiBus}); it reads the
 * state it shows from the {@link AuctionStore} the workers write. It does not own the bus: close the {@link ApiBus}
 * after the server.
 */
public final class ApiServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService storeExecutor;

    private ApiServer(Builder b) {
        this.storeExecutor = new ThreadPoolExecutor(b.storeThreads, b.storeThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(10_000), daemonThreads(b.config.name() + "-store"));
        ((ThreadPoolExecutor) storeExecutor).allowCoreThreadTimeOut(true);
        ApiRoutes routes = new ApiRoutes(b.bus, b.store, b.tokens, b.limiter, b.websockets, b.clock, storeExecutor);
        HttpServer.Builder http = HttpServer.builder(b.config)
                .meterRegistry(b.registry)
                .route("POST", "/session", routes::session)
                .route("POST", "/auctions", routes::openAuction)
                .route("GET", "/auctions", routes::openAuctions)
                .route("GET", "/auctions/{auctionId}", routes::auction)
                .route("POST", "/auctions/{auctionId}/bids", routes::bid)
                .route("GET", "/config", routes::config);
        for (Map.Entry<String, HttpReply> asset : new StaticAssets().replies().entrySet()) {
            HttpReply reply = asset.getValue();
            http.route("GET", asset.getKey(), exchange -> exchange.respond(reply));
        }
        this.server = http.build();
    }

    /** Starts configuring an API server. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port.
     *
     * @return this server
     * @throws IllegalStateException when the port cannot be bound
     */
    public ApiServer start() {
        server.start();
        return this;
    }

    /** The port bound. */
    public int port() {
        return server.port();
    }

    /** The underlying HTTP server: readiness, meters. */
    public HttpServer httpServer() {
        return server;
    }

    /** Stops being ready and refuses new bids with 503, without closing anything yet. */
    public void beginDrain() {
        server.beginDrain();
    }

    /** Drains (requests in progress are answered), then closes the sockets and the store-read threads. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            storeExecutor.shutdown();
            try {
                storeExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ApiServer{" + server + "}";
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Collects the API's settings and collaborators; {@link #build()} checks that none is missing. */
    public static final class Builder {
        private HttpServerConfig config = HttpServerConfig.builder().name("auction-api").port(8080)
                .drainTimeout(Duration.ofSeconds(10)).build();
        private @Nullable CommandBus bus;
        private @Nullable AuctionStore store;
        private @Nullable SessionTokens tokens;
        private @Nullable BidRateLimiter limiter;
        private List<String> websockets = List.of();
        private @Nullable PrometheusMeterRegistry registry;
        private Clock clock = Clock.systemUTC();
        private int storeThreads = 4;

        private Builder() {
        }

        /** Where it listens and its limits; {@code auction-api} on 8080 by default. */
        public Builder server(HttpServerConfig value) {
            this.config = Objects.requireNonNull(value, "server");
            return this;
        }

        /** The bus the commands go through (see {@link ApiBus}); required. */
        public Builder bus(CommandBus value) {
            this.bus = Objects.requireNonNull(value, "bus");
            return this;
        }

        /** Where the auctions' state is read; required. */
        public Builder store(AuctionStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** Issues and checks session tokens; required. */
        public Builder tokens(SessionTokens value) {
            this.tokens = Objects.requireNonNull(value, "tokens");
            return this;
        }

        /** Limits each user's bids per second; required. */
        public Builder rateLimiter(BidRateLimiter value) {
            this.limiter = Objects.requireNonNull(value, "rateLimiter");
            return this;
        }

        /** The websocket URLs announced by {@code GET /config} (absolute {@code ws://…} or a path such as {@code /ws}). */
        public Builder websockets(List<String> value) {
            this.websockets = List.copyOf(value);
            return this;
        }

        /** The registry exposed at {@code /metrics}; a new one by default. */
        public Builder meterRegistry(PrometheusMeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** The clock for auction status and validation; system UTC by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Threads reading the store (the Redis store blocks); 4 by default. */
        public Builder storeThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("storeThreads: must be >= 1, was " + value);
            }
            this.storeThreads = value;
            return this;
        }

        /**
         * Builds the server (not started).
         *
         * @throws IllegalStateException naming every missing collaborator
         */
        public ApiServer build() {
            StringBuilder missing = new StringBuilder();
            if (bus == null) {
                missing.append(" bus");
            }
            if (store == null) {
                missing.append(" store");
            }
            if (tokens == null) {
                missing.append(" tokens");
            }
            if (limiter == null) {
                missing.append(" rateLimiter");
            }
            if (missing.length() > 0) {
                throw new IllegalStateException("ApiServer: required and not given:" + missing);
            }
            if (registry == null) {
                registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            }
            return new ApiServer(this);
        }
    }
}
