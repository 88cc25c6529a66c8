package dev.trench.examples.auction.loadgen;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auction.jar loadgen}: the command line around {@link LoadGenerator}. Every option can also be set by an
 * environment variable ({@code AUCTION_LOADGEN_…}, named in {@code --help}); the option wins. Prints setup lines, a
 * {@code progress} line every second, a {@code DETAILS} line and, last, exactly one {@code RESULT} line.
 *
 * <p>Exit status: 0 when the run passed (bids sent and acked; nothing lost, reordered or duplicated; no invalid bid
 * accepted), 1 when it ran and failed, 2 when the options are invalid or the setup failed (then there is no
 * {@code RESULT} line), 130 when interrupted.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Load generator: opens websocket clients on the nodes, subscribes them to auctions, opens sessions for "
                    + "its bidders through the API, sends bids at a fixed rate, and counts the frames the clients "
                    + "receive.",
            "Ends with one line 'RESULT bids_sent=… bids_acked=… bids_rejected=… ws_clients=… frames_expected=… "
                    + "frames_received=… lost=… duplicates=… reordered=… p50_ms=… p99_ms=… max_ms=…'.",
            "Exit status: 0 passed, 1 something lost/reordered/duplicated (or nothing acked), 2 bad options or "
                    + "setup failed."
        })
public final class LoadgenCommand implements Callable<Integer> {
    /** Exit status when the options are invalid or the setup failed. */
    public static final int EXIT_SETUP = 2;
    /** Exit status when interrupted. */
    public static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:AUCTION_LOADGEN_API:-http://localhost:8080}",
            description = "The API's base URL (env AUCTION_LOADGEN_API; default ${DEFAULT-VALUE}).")
    URI api;

    @Option(names = "--ws", paramLabel = "URL", split = ",",
            defaultValue = "${env:AUCTION_LOADGEN_WS:-ws://localhost:8081/ws,ws://localhost:8082/ws}",
            description = "A websocket node's URL; repeat it or separate with commas. Clients are spread over them "
                    + "round-robin (env AUCTION_LOADGEN_WS; default ${DEFAULT-VALUE}).")
    List<URI> websockets;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "${env:AUCTION_LOADGEN_CLIENTS:-100}",
            description = "Websocket clients (env AUCTION_LOADGEN_CLIENTS; default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--auctions", paramLabel = "M", defaultValue = "${env:AUCTION_LOADGEN_AUCTIONS:-2}",
            description = "Auctions to open with fresh ids (env AUCTION_LOADGEN_AUCTIONS; default ${DEFAULT-VALUE}).")
    int auctions;

    @Option(names = "--reuse-auctions", paramLabel = "ID", split = ",",
            defaultValue = "${env:AUCTION_LOADGEN_REUSE_AUCTIONS:-}",
            description = "Bid on these existing auctions instead of opening --auctions new ones; valid bids start "
                    + "at their minimumNextBid and step by their minIncrement (env AUCTION_LOADGEN_REUSE_AUCTIONS).")
    List<String> reuseAuctions;

    @Option(names = "--subscriptions-per-client", paramLabel = "K",
            defaultValue = "${env:AUCTION_LOADGEN_SUBSCRIPTIONS_PER_CLIENT:-1}",
            description = "Auctions each client subscribes to (env AUCTION_LOADGEN_SUBSCRIPTIONS_PER_CLIENT; "
                    + "default ${DEFAULT-VALUE}).")
    int subscriptionsPerClient;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "${env:AUCTION_LOADGEN_RATE:-50}",
            description = "Bids per second, over all auctions (env AUCTION_LOADGEN_RATE; default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "${env:AUCTION_LOADGEN_DURATION:-20s}",
            converter = DurationConverter.class,
            description = "How long bids are sent: 20s, 500ms, 2m or PT20S (env AUCTION_LOADGEN_DURATION; default "
                    + "${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "D", defaultValue = "${env:AUCTION_LOADGEN_WARMUP:-0s}",
            converter = DurationConverter.class,
            description = "Bids sent before --duration at the same rate, counted like the others but without "
                    + "recording their latency (env AUCTION_LOADGEN_WARMUP; default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--invalid-share", paramLabel = "S", defaultValue = "${env:AUCTION_LOADGEN_INVALID_SHARE:-0.1}",
            description = "Share of invalid bids in [0, 1], half too low, half malformed (env "
                    + "AUCTION_LOADGEN_INVALID_SHARE; default ${DEFAULT-VALUE}).")
    double invalidShare;

    @Option(names = "--bidders", paramLabel = "B", defaultValue = "${env:AUCTION_LOADGEN_BIDDERS:-50}",
            description = "Bidder sessions opened through the API; at most --clients. Each bids rate/B times a "
                    + "second: keep that under the API's per-user limit (env AUCTION_LOADGEN_BIDDERS; default "
                    + "${DEFAULT-VALUE}).")
    int bidders;

    @Option(names = "--starting-price", paramLabel = "AMOUNT",
            defaultValue = "${env:AUCTION_LOADGEN_STARTING_PRICE:-10.00}",
            description = "Starting price of opened auctions (env AUCTION_LOADGEN_STARTING_PRICE; default "
                    + "${DEFAULT-VALUE}).")
    BigDecimal startingPrice;

    @Option(names = "--increment", paramLabel = "AMOUNT", defaultValue = "${env:AUCTION_LOADGEN_INCREMENT:-1.00}",
            description = "Minimum increment of opened auctions and step of valid bids (env "
                    + "AUCTION_LOADGEN_INCREMENT; default ${DEFAULT-VALUE}).")
    BigDecimal increment;

    @Option(names = "--connect-timeout", paramLabel = "D", converter = DurationConverter.class,
            defaultValue = "${env:AUCTION_LOADGEN_CONNECT_TIMEOUT:-10s}",
            description = "TCP connect and websocket handshake (env AUCTION_LOADGEN_CONNECT_TIMEOUT; default "
                    + "${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--request-timeout", paramLabel = "D", converter = DurationConverter.class,
            defaultValue = "${env:AUCTION_LOADGEN_REQUEST_TIMEOUT:-10s}",
            description = "Each HTTP request (env AUCTION_LOADGEN_REQUEST_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--setup-timeout", paramLabel = "D", converter = DurationConverter.class,
            defaultValue = "${env:AUCTION_LOADGEN_SETUP_TIMEOUT:-60s}",
            description = "The whole setup: auctions, sessions, clients connected and subscribed (env "
                    + "AUCTION_LOADGEN_SETUP_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration setupTimeout;

    @Option(names = "--drain-timeout", paramLabel = "D", converter = DurationConverter.class,
            defaultValue = "${env:AUCTION_LOADGEN_DRAIN_TIMEOUT:-10s}",
            description = "After the last answer, how long to wait for frames still on the way; a frame not received "
                    + "by then is lost (env AUCTION_LOADGEN_DRAIN_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "${env:AUCTION_LOADGEN_IO_THREADS:-0}",
            description = "Threads of the websocket clients; 0 for one per core (env AUCTION_LOADGEN_IO_THREADS; "
                    + "default ${DEFAULT-VALUE}).")
    int ioThreads;

    /** Runs the command on its own: {@code java … LoadgenCommand [options]}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadgenCommand()).execute(args));
    }

    /** The options as given, validated. */
    LoadGenerator.Options options() {
        return LoadGenerator.Options.builder()
                .api(api)
                .websockets(websockets)
                .clients(clients)
                .auctions(auctions)
                .reuseAuctions(reuseAuctions == null ? List.of()
                        : reuseAuctions.stream().map(String::trim).filter(s -> !s.isEmpty()).toList())
                .subscriptionsPerClient(subscriptionsPerClient)
                .rate(rate)
                .duration(duration)
                .warmup(warmup)
                .invalidShare(invalidShare)
                .bidders(bidders)
                .startingPrice(startingPrice)
                .increment(increment)
                .connectTimeout(connectTimeout)
                .requestTimeout(requestTimeout)
                .setupTimeout(setupTimeout)
                .drainTimeout(drainTimeout)
                .ioThreads(ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads)
                .build();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadGenerator.Options options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("loadgen: " + e.getMessage());
            err.flush();
            return EXIT_SETUP;
        }
        try {
            LoadGenerator.Result result = new LoadGenerator(options, line -> {
                out.println(line);
                out.flush();
            }).run();
            out.println(result.details().line());
            if (!result.passed()) {
                out.println("FAILED: " + String.join(", ", result.failures()));
            }
            out.println(result.line());
            out.flush();
            return result.exitCode();
        } catch (LoadGenerator.SetupException e) {
            err.println("loadgen: setup failed: " + e.getMessage());
            err.flush();
            return EXIT_SETUP;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("loadgen: interrupted");
            err.flush();
            return EXIT_INTERRUPTED;
        }
    }

    /** Reads {@code 20s}, {@code 500ms}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601 {@code PT20S}. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SHORT.matcher(v);
            try {
                if (m.matches()) {
                    BigDecimal n = new BigDecimal(m.group(1));
                    String unit = m.group(2) == null ? "s" : m.group(2);
                    BigDecimal millis = switch (unit) {
                        case "ms" -> n;
                        case "m" -> n.multiply(BigDecimal.valueOf(60_000));
                        case "h" -> n.multiply(BigDecimal.valueOf(3_600_000));
                        default -> n.multiply(BigDecimal.valueOf(1_000));
                    };
                    return Duration.ofMillis(millis.longValueExact());
                }
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (ArithmeticException | DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("expected a duration such as 20s, 500ms, 2m or PT20S, "
                        + "was '" + value + "'");
            }
        }
    }
}
