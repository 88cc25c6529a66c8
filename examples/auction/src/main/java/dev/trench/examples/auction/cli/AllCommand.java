package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.cli.internal.RoleRunner;
import dev.trench.examples.auction.cluster.EmbeddedCluster;
import dev.trench.examples.auction.cluster.EmbeddedClusterConfig;
import dev.trench.examples.auction.demo.DemoSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code auction.jar all}: the whole cluster in one JVM (the default of {@code ./demo.sh}). */
@Command(name = "all", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The whole auction cluster in one JVM, on loopback, over the real transports: the API and the"
                + " page, two workers (HTTP with acknowledgement), two websocket nodes (ZeroMQ events), one in-memory"
                + " store, and bidding bots so the page is alive. No option is needed. Stops cleanly on Ctrl-C."},
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class AllCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "${env:AUCTION_HOST:-127.0.0.1}", paramLabel = "ADDRESS",
            description = "Address every server binds. Env AUCTION_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--public-host", defaultValue = "${env:AUCTION_PUBLIC_HOST:-localhost}", paramLabel = "HOST",
            description = "Host name in the printed URL and the websocket URLs given to the page."
                    + " Env AUCTION_PUBLIC_HOST. Default: ${DEFAULT-VALUE}.")
    String publicHost;

    @Option(names = "--api-port", defaultValue = "${env:AUCTION_API_PORT:-8080}", paramLabel = "PORT",
            description = "Port of the API and the page (0: a free one). Env AUCTION_API_PORT."
                    + " Default: ${DEFAULT-VALUE}.")
    int apiPort;

    @Option(names = "--worker-ports", split = ",", defaultValue = "${env:AUCTION_WORKER_PORTS:-8090,8091}",
            paramLabel = "PORT", description = "Command ports, one per worker. Env AUCTION_WORKER_PORTS."
                    + " Default: ${DEFAULT-VALUE}.")
    List<Integer> workerPorts;

    @Option(names = "--ws-ports", split = ",", defaultValue = "${env:AUCTION_WS_PORTS:-8081,8082}",
            paramLabel = "PORT", description = "Websocket ports, one per node. Env AUCTION_WS_PORTS."
                    + " Default: ${DEFAULT-VALUE}.")
    List<Integer> wsPorts;

    @Option(names = "--ws-event-ports", split = ",", defaultValue = "${env:AUCTION_WS_EVENT_PORTS:-23499,23500}",
            paramLabel = "PORT", description = "ZeroMQ event ports, one per websocket node."
                    + " Env AUCTION_WS_EVENT_PORTS. Default: ${DEFAULT-VALUE}.")
    List<Integer> wsEventPorts;

    @Option(names = "--token-key", defaultValue = "${env:AUCTION_TOKEN_KEY:-}", paramLabel = "SECRET",
            description = "HMAC key of the session tokens (at least 16 bytes); a random one when empty."
                    + " Env AUCTION_TOKEN_KEY.")
    String tokenKey;

    @Option(names = "--token-ttl", defaultValue = "${env:AUCTION_TOKEN_TTL:-PT12H}", paramLabel = "DURATION",
            description = "How long a session token stays valid. Env AUCTION_TOKEN_TTL. Default: ${DEFAULT-VALUE}.")
    Duration tokenTtl;

    @Option(names = "--max-bids-per-second", defaultValue = "${env:AUCTION_MAX_BIDS_PER_SECOND:-5}",
            paramLabel = "RATE", description = "Bids one user may place per second (more get 429)."
                    + " Env AUCTION_MAX_BIDS_PER_SECOND. Default: ${DEFAULT-VALUE}.")
    double maxBidsPerSecond;

    @Option(names = "--bid-burst", defaultValue = "${env:AUCTION_BID_BURST:-10}", paramLabel = "BIDS",
            description = "Bids one user may place at once after a pause. Env AUCTION_BID_BURST."
                    + " Default: ${DEFAULT-VALUE}.")
    int bidBurst;

    @Option(names = "--demo", negatable = true, defaultValue = "${env:AUCTION_DEMO:-true}", fallbackValue = "true",
            description = "Open a few auctions and run bidding bots (--no-demo: an empty cluster). Env AUCTION_DEMO."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean demo;

    @Option(names = "--demo-auctions", defaultValue = "${env:AUCTION_DEMO_AUCTIONS:-3}", paramLabel = "N",
            description = "Demo auctions kept open. Env AUCTION_DEMO_AUCTIONS. Default: ${DEFAULT-VALUE}.")
    int demoAuctions;

    @Option(names = "--demo-bots", defaultValue = "${env:AUCTION_DEMO_BOTS:-4}", paramLabel = "N",
            description = "Bidding bots. Env AUCTION_DEMO_BOTS. Default: ${DEFAULT-VALUE}.")
    int demoBots;

    @Option(names = "--demo-bid-interval", defaultValue = "${env:AUCTION_DEMO_BID_INTERVAL:-PT0.7S}",
            paramLabel = "DURATION", description = "Pause between two bots' bids. Env AUCTION_DEMO_BID_INTERVAL."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration demoBidInterval;

    @Option(names = "--demo-auction-duration", defaultValue = "${env:AUCTION_DEMO_AUCTION_DURATION:-PT10M}",
            paramLabel = "DURATION", description = "How long each demo auction stays open."
                    + " Env AUCTION_DEMO_AUCTION_DURATION. Default: ${DEFAULT-VALUE}.")
    Duration demoAuctionDuration;

    @Option(names = "--demo-too-low-percent", defaultValue = "${env:AUCTION_DEMO_TOO_LOW_PERCENT:-10}",
            paramLabel = "PERCENT", description = "Share of the bots' bids placed too low on purpose (refused)."
                    + " Env AUCTION_DEMO_TOO_LOW_PERCENT. Default: ${DEFAULT-VALUE}.")
    int demoTooLowPercent;

    /**
     * The cluster's settings from the options.
     *
     * @throws ParameterException naming the option of an invalid value
     */
    public EmbeddedClusterConfig config() {
        try {
            DemoSettings demoSettings = demo ? new DemoSettings(demoAuctions, demoBots, demoBidInterval,
                    demoAuctionDuration, demoTooLowPercent) : null;
            return new EmbeddedClusterConfig(host, publicHost, apiPort, workerPorts, wsPorts, wsEventPorts,
                    tokenKey == null || tokenKey.isBlank() ? null : tokenKey, tokenTtl, maxBidsPerSecond, bidBurst,
                    demoSettings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid option: " + e.getMessage());
        }
    }

    @Override
    public Integer call() {
        EmbeddedCluster cluster = EmbeddedCluster.start(config());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Auction demo: " + cluster.apiUrl());
        out.println("  websocket nodes: " + String.join(", ", cluster.websocketUrls()) + "; Ctrl-C stops everything");
        out.flush();
        return RoleRunner.runUntilShutdown("all", cluster);
    }
}
