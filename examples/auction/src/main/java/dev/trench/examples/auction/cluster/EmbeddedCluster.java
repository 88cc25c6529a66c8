package dev.trench.examples.auction.cluster;

import dev.trench.examples.auction.api.ApiBus;
import dev.trench.examples.auction.api.ApiServer;
import dev.trench.examples.auction.api.ApiSnapshotSource;
import dev.trench.examples.auction.api.BidRateLimiter;
import dev.trench.examples.auction.api.SessionTokens;
import dev.trench.examples.auction.api.WorkerAddresses;
import dev.trench.examples.auction.demo.AuctionDemo;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.worker.WorkerNode;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import dev.trench.transport.http.HttpServerConfig;
import dev.trench.transport.zmq.ZmqTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code all} role: the whole auction cluster in one JVM, on loopback, over the real transports. The API (and the
 * page), two workers (HTTP with acknowledgement from the API's bus), two websocket nodes (each worker publishes every
 * event over ZeroMQ to both), one {@link InMemoryAuctionStore} shared by the workers and the API, and optionally the
 * {@link AuctionDemo}'s bots.
 *
 * <h2>Start order</h2>
 * Websocket nodes first (they bind the event sockets the workers connect to), then the workers, then the API (it
 * needs the workers' ports), then the demo. The websocket nodes ask the API for snapshots only once it runs.
 *
 * <h2>Stop order ({@link #close()})</h2>
 * The demo's bots stop; the API stops being ready and refuses new bids; the workers drain (every acknowledged command
 * handled, its events published) and close their ZeroMQ publishers; the websocket nodes close (subscribers first,
 * then close frames to the browsers); the API closes its sockets and its sender.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

    private final AuctionStore store;
    private final SessionTokens tokens;
    private final List<WebSocketRole> wsNodes;
    private final List<WorkerNode> workers;
    private final ApiBus apiBus;
    private final ApiServer api;
    private final @Nullable AuctionDemo demo;
    private final List<String> websocketUrls;
    private final String apiUrl;
    private final Object lifecycle = new Object();
    private boolean closed;

    private EmbeddedCluster(AuctionStore store, SessionTokens tokens, List<WebSocketRole> wsNodes,
            List<WorkerNode> workers, ApiBus apiBus, ApiServer api, @Nullable AuctionDemo demo,
            List<String> websocketUrls, String apiUrl) {
        this.store = store;
        this.tokens = tokens;
        this.wsNodes = wsNodes;
        this.workers = workers;
        this.apiBus = apiBus;
        this.api = api;
        this.demo = demo;
        this.websocketUrls = websocketUrls;
        this.apiUrl = apiUrl;
    }

    /**
     * Starts everything; on a failure, stops what was started and rethrows.
     *
     * @throws IllegalStateException when a port cannot be bound (naming it)
     */
    public static EmbeddedCluster start(EmbeddedClusterConfig config) {
        Objects.requireNonNull(config, "config");
        Clock clock = Clock.systemUTC();
        String key = config.tokenKey() == null || config.tokenKey().isBlank() ? SessionTokens.randomKey()
                : config.tokenKey();
        SessionTokens tokens = new SessionTokens(key, config.tokenTtl(), clock);
        InMemoryAuctionStore store = new InMemoryAuctionStore();
        String local = connectHost(config.host());
        AtomicReference<String> apiUrl = new AtomicReference<>("http://" + local + ":" + config.apiPort());
        List<AutoCloseable> started = new ArrayList<>();
        try {
            List<WebSocketRole> wsNodes = new ArrayList<>();
            for (int i = 0; i < config.wsPorts().size(); i++) {
                int eventPort = config.wsEventPorts().get(i);
                WebSocketNodeConfig nodeConfig = WebSocketNodeConfig.builder()
                        .name("ws-" + (i + 1)).host(config.host()).port(config.wsPorts().get(i))
                        .ioThreads(2).fanoutThreads(2).build();
                WebSocketRole ws = WebSocketRole.start(nodeConfig,
                        "tcp://" + config.host() + ":" + (eventPort == 0 ? "*" : Integer.toString(eventPort)), tokens,
                        new ApiSnapshotSource(apiUrl::get, Duration.ofSeconds(2)));
                started.add(ws);
                wsNodes.add(ws);
            }
            List<String> eventEndpoints = new ArrayList<>();
            for (WebSocketRole ws : wsNodes) {
                eventEndpoints.add("tcp://" + local + ":" + portOf(ws.eventsEndpoint()));
            }
            List<WorkerNode> workers = new ArrayList<>();
            for (int i = 0; i < config.workerPorts().size(); i++) {
                WorkerNode worker = WorkerNode.builder()
                        .name("worker-" + (i + 1)).host(config.host()).port(config.workerPorts().get(i))
                        .store(store)
                        .events(ZmqTarget.endpoints(eventEndpoints))
                        .drainTimeout(Duration.ofSeconds(10))
                        .start();
                started.add(worker);
                workers.add(worker);
            }
            List<String> workerEndpoints = new ArrayList<>();
            for (WorkerNode w : workers) {
                workerEndpoints.add(local + ":" + w.port());
            }
            PrometheusMeterRegistry apiRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ApiBus apiBus = ApiBus.connect(WorkerAddresses.fixed(workerEndpoints), apiRegistry);
            started.add(apiBus);
            List<String> websocketUrls = new ArrayList<>();
            for (WebSocketRole ws : wsNodes) {
                websocketUrls.add("ws://" + config.publicHost() + ":" + ws.port() + "/ws");
            }
            ApiServer api = ApiServer.builder()
                    .server(HttpServerConfig.builder().name("auction-api").host(config.host())
                            .port(config.apiPort()).ioThreads(2).drainTimeout(Duration.ofSeconds(5)).build())
                    .bus(apiBus.bus())
                    .store(store)
                    .tokens(tokens)
                    .rateLimiter(new BidRateLimiter(config.maxBidsPerSecond(), config.bidBurst(), 100_000))
                    .websockets(websocketUrls)
                    .meterRegistry(apiRegistry)
                    .clock(clock)
                    .build()
                    .start();
            started.add(api);
            apiUrl.set("http://" + local + ":" + api.port());
            AuctionDemo demo = config.demo() == null ? null
                    : AuctionDemo.start(apiBus.bus(), store, config.demo(), clock);
            EmbeddedCluster cluster = new EmbeddedCluster(store, tokens, List.copyOf(wsNodes), List.copyOf(workers),
                    apiBus, api, demo, List.copyOf(websocketUrls),
                    "http://" + config.publicHost() + ":" + api.port() + "/");
            LOG.info("embedded cluster up: API {}, workers {}, websocket nodes {}", cluster.apiUrl(), workerEndpoints,
                    websocketUrls);
            return cluster;
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The address the parts connect to each other on: the bound one, or loopback when bound to every interface. */
    private static String connectHost(String host) {
        return host.equals("0.0.0.0") || host.equals("*") ? "127.0.0.1" : host;
    }

    private static int portOf(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /** The page's URL, e.g. {@code http://localhost:8080/}. */
    public String apiUrl() {
        return apiUrl;
    }

    /** The API's port. */
    public int apiPort() {
        return api.port();
    }

    /** The websocket URLs announced to the page. */
    public List<String> websocketUrls() {
        return websocketUrls;
    }

    /** The websocket nodes. */
    public List<WebSocketRole> wsNodes() {
        return wsNodes;
    }

    /** The workers. */
    public List<WorkerNode> workers() {
        return workers;
    }

    /** The store shared by the workers and the API. */
    public AuctionStore store() {
        return store;
    }

    /** The session tokens (the cluster's key). */
    public SessionTokens tokens() {
        return tokens;
    }

    /** The API's bus (what the demo's bots use). */
    public ApiBus apiBus() {
        return apiBus;
    }

    /** Stops everything in order (see the class documentation). Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LOG.info("embedded cluster stopping");
        if (demo != null) {
            quietly("demo", demo);
        }
        api.beginDrain();
        workers.parallelStream().forEach(w -> quietly(w.name(), w));
        for (WebSocketRole ws : wsNodes) {
            quietly(ws.node().config().name(), ws);
        }
        quietly("api", api);
        quietly("api sender", apiBus);
        LOG.info("embedded cluster stopped");
    }

    private static void quietly(String what, AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed", what, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedCluster{" + apiUrl + ", workers=" + workers.size() + ", wsNodes=" + wsNodes.size() + "}";
    }
}
