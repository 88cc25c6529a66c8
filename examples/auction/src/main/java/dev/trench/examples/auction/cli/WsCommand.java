package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.api.ApiSnapshotSource;
import dev.trench.examples.auction.api.SessionTokens;
import dev.trench.examples.auction.cli.internal.RoleRunner;
import dev.trench.examples.auction.cli.internal.TokenOptions;
import dev.trench.examples.auction.cluster.WebSocketRole;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code auction.jar ws}: one websocket node. */
@Command(name = "ws", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A websocket node: browsers connect to GET /ws (?token=… for their own BidRejected events);"
                + " it receives the workers' events on a ZeroMQ PULL socket and pushes each to the browsers watching"
                + " its auction, in sequence order, resynchronising from the API (GET /auctions/{id}) on a gap."},
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class WsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--name", defaultValue = "${env:AUCTION_WS_NAME:-ws}", paramLabel = "NAME",
            description = "Name in logs, threads and metrics. Env AUCTION_WS_NAME. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--host", defaultValue = "${env:AUCTION_WS_HOST:-0.0.0.0}", paramLabel = "ADDRESS",
            description = "Address to bind. Env AUCTION_WS_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "${env:AUCTION_WS_PORT:-8081}", paramLabel = "PORT",
            description = "Websocket port (GET /ws, /health/*, /metrics). Env AUCTION_WS_PORT."
                    + " Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--events-bind", defaultValue = "${env:AUCTION_WS_EVENTS_BIND:-tcp://*:23499}",
            paramLabel = "tcp://ADDRESS:PORT",
            description = "Where the ZeroMQ event socket binds (the workers connect to it)."
                    + " Env AUCTION_WS_EVENTS_BIND. Default: ${DEFAULT-VALUE}.")
    String eventsBind;

    @Option(names = "--api-url", defaultValue = "${env:AUCTION_API_URL:-http://127.0.0.1:8080}", paramLabel = "URL",
            description = "The API, for auction snapshots (GET {api-url}/auctions/{id}). Env AUCTION_API_URL."
                    + " Default: ${DEFAULT-VALUE}.")
    String apiUrl;

    @Option(names = "--max-connections", defaultValue = "${env:AUCTION_WS_MAX_CONNECTIONS:-20000}", paramLabel = "N",
            description = "Websocket sessions accepted at once. Env AUCTION_WS_MAX_CONNECTIONS."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-connections-per-address",
            defaultValue = "${env:AUCTION_WS_MAX_CONNECTIONS_PER_ADDRESS:-5000}", paramLabel = "N",
            description = "Websocket sessions accepted at once from one address."
                    + " Env AUCTION_WS_MAX_CONNECTIONS_PER_ADDRESS. Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerAddress;

    @Option(names = "--reorder-window", defaultValue = "${env:AUCTION_WS_REORDER_WINDOW:-PT1S}", paramLabel = "DURATION",
            description = "How long events behind a gap in an auction's sequence wait for the missing one before the"
                    + " node resynchronises from a snapshot. Env AUCTION_WS_REORDER_WINDOW. Default: ${DEFAULT-VALUE}.")
    Duration reorderWindow;

    @Mixin
    TokenOptions tokens;

    @Override
    public Integer call() {
        SessionTokens verifier = tokens.require(spec);
        WebSocketNodeConfig config;
        ApiSnapshotSource snapshots;
        try {
            config = WebSocketNodeConfig.builder().name(name).host(host).port(port).maxConnections(maxConnections)
                    .maxConnectionsPerAddress(maxConnectionsPerAddress).reorderWindow(reorderWindow).build();
            snapshots = new ApiSnapshotSource(apiUrl, Duration.ofSeconds(2));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        WebSocketRole role = WebSocketRole.start(config, eventsBind, verifier, snapshots);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Auction websocket node " + name + ": ws://localhost:" + role.port() + "/ws, events on "
                + role.eventsEndpoint() + ", snapshots from " + apiUrl);
        out.flush();
        return RoleRunner.runUntilShutdown("ws", role);
    }
}
