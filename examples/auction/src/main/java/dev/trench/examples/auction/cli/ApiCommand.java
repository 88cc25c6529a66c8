package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.api.ApiBus;
import dev.trench.examples.auction.api.ApiServer;
import dev.trench.examples.auction.api.BidRateLimiter;
import dev.trench.examples.auction.api.SessionTokens;
import dev.trench.examples.auction.api.WorkerAddresses;
import dev.trench.examples.auction.cli.internal.RoleRunner;
import dev.trench.examples.auction.cli.internal.StoreOptions;
import dev.trench.examples.auction.cli.internal.TokenOptions;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.transport.http.HttpServerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code auction.jar api}: the API and the web page, dispatching to the workers over HTTP. */
@Command(name = "api", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The auction API and the web page: sessions, bids and auctions over HTTP; bids go to the"
                + " workers through the API's command bus (HTTP with acknowledgement)."},
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class ApiCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "${env:AUCTION_API_HOST:-0.0.0.0}", paramLabel = "ADDRESS",
            description = "Address to bind. Env AUCTION_API_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "${env:AUCTION_API_PORT:-8080}", paramLabel = "PORT",
            description = "Port of the API and the page. Env AUCTION_API_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--workers", split = ",", defaultValue = "${env:AUCTION_WORKERS:-127.0.0.1:8090}",
            paramLabel = "HOST:PORT",
            description = "The workers' command endpoints, host:port or http://host:port, comma separated. A single"
                    + " DNS name means every address behind it, re-resolved (a headless service)."
                    + " Env AUCTION_WORKERS. Default: ${DEFAULT-VALUE}.")
    List<String> workers;

    @Option(names = "--websockets", split = ",",
            defaultValue = "${env:AUCTION_WEBSOCKETS:-ws://localhost:8081/ws,ws://localhost:8082/ws}",
            paramLabel = "URL",
            description = "Websocket URLs announced to the page by GET /config (ws://host:port/ws, or a path such as"
                    + " /ws behind an Ingress), comma separated. Env AUCTION_WEBSOCKETS. Default: ${DEFAULT-VALUE}.")
    List<String> websockets;

    @Option(names = "--max-bids-per-second", defaultValue = "${env:AUCTION_MAX_BIDS_PER_SECOND:-5}",
            paramLabel = "RATE",
            description = "Bids one user may place per second (more get 429). Env AUCTION_MAX_BIDS_PER_SECOND."
                    + " Default: ${DEFAULT-VALUE}.")
    double maxBidsPerSecond;

    @Option(names = "--bid-burst", defaultValue = "${env:AUCTION_BID_BURST:-10}", paramLabel = "BIDS",
            description = "Bids one user may place at once after a pause. Env AUCTION_BID_BURST."
                    + " Default: ${DEFAULT-VALUE}.")
    int bidBurst;

    @Option(names = "--drain-timeout", defaultValue = "${env:AUCTION_API_DRAIN_TIMEOUT:-PT10S}",
            paramLabel = "DURATION",
            description = "How long a shutdown waits for requests in progress. Env AUCTION_API_DRAIN_TIMEOUT."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Mixin
    TokenOptions tokens;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        SessionTokens sessionTokens = tokens.require(spec);
        WorkerAddresses addresses;
        try {
            addresses = WorkerAddresses.parse(workers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --workers: " + e.getMessage());
        }
        if (store.kind() == StoreOptions.Kind.memory) {
            LOG.warn("api: --store memory reads this process's own store, which the workers do not write; use"
                    + " --store redis in a cluster");
        }
        AuctionStore auctions = store.open();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ApiBus bus = ApiBus.connect(addresses, registry);
        ApiServer server;
        try {
            server = ApiServer.builder()
                    .server(HttpServerConfig.builder().name("auction-api").host(host).port(port)
                            .drainTimeout(drainTimeout).build())
                    .bus(bus.bus())
                    .store(auctions)
                    .tokens(sessionTokens)
                    .rateLimiter(new BidRateLimiter(maxBidsPerSecond, bidBurst, 100_000))
                    .websockets(websockets)
                    .meterRegistry(registry)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            bus.close();
            StoreOptions.close(auctions);
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Auction API: http://localhost:" + server.port() + "/ (workers " + addresses + ", store "
                + store.describe() + ")");
        out.flush();
        return RoleRunner.runUntilShutdown("api", () -> {
            server.close();
            bus.close();
            StoreOptions.close(auctions);
        });
    }
}
