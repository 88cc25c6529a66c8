package dev.trench.examples.auction.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.examples.auction.loadgen.FakeAuctionCluster.Fault;
import dev.trench.examples.auction.loadgen.internal.ApiClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The load generator against a real (small) cluster on loopback: a healthy one, and ones that drop, duplicate or
 * reorder exactly one frame for one client, or throttle bids. 50 bids per second for one second, 10 clients over two
 * websocket nodes, 2 auctions, 4 bidders, a fifth of the bids invalid.
 */
@Timeout(60)
class LoadGeneratorTest {
    private static final Pattern RESULT_LINE = Pattern.compile("RESULT bids_sent=\\d+ bids_acked=\\d+ "
            + "bids_rejected=\\d+ ws_clients=\\d+ frames_expected=\\d+ frames_received=\\d+ lost=\\d+ duplicates=\\d+ "
            + "reordered=\\d+ p50_ms=\\d+\\.\\d{3} p99_ms=\\d+\\.\\d{3} max_ms=\\d+\\.\\d{3}");

    /** What the command printed and returned. */
    private record Cli(int exit, List<String> out, String err) {
        List<String> resultLines() {
            return out.stream().filter(l -> l.startsWith("RESULT")).toList();
        }

        String last() {
            return out.get(out.size() - 1);
        }
    }

    private static Cli loadgen(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new LoadgenCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Cli(exit, Arrays.asList(out.toString().split("\\R")), err.toString());
    }

    private static String[] args(FakeAuctionCluster cluster, String drainTimeout) {
        return new String[] {
            "--api", cluster.api().toString(),
            "--ws", cluster.websockets().stream().map(URI::toString).collect(Collectors.joining(",")),
            "--clients", "10", "--auctions", "2", "--rate", "50", "--duration", "1s", "--invalid-share", "0.2",
            "--bidders", "4", "--io-threads", "2", "--setup-timeout", "20s", "--drain-timeout", drainTimeout,
        };
    }

    private static LoadGenerator.Options options(FakeAuctionCluster cluster, Duration drainTimeout) {
        return LoadGenerator.Options.builder()
                .api(cluster.api())
                .websockets(cluster.websockets())
                .clients(10)
                .auctions(2)
                .rate(50)
                .duration(Duration.ofSeconds(1))
                .invalidShare(0.2)
                .bidders(4)
                .ioThreads(2)
                .setupTimeout(Duration.ofSeconds(20))
                .drainTimeout(drainTimeout)
                .build();
    }

    private static LoadGenerator.Result run(FakeAuctionCluster cluster, Duration drainTimeout, List<String> lines)
            throws Exception {
        return new LoadGenerator(options(cluster, drainTimeout), lines::add).run();
    }

    private static void assertLatencyIsOrdered(double p50, double p99, double max) {
        assertThat(p50).isGreaterThanOrEqualTo(0);
        assertThat(p99).isGreaterThanOrEqualTo(p50);
        assertThat(max).isGreaterThanOrEqualTo(p99).isPositive();
    }

    @Test
    void aHealthyClusterPassesWithExactlyOneParseableResultLineLast() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.NONE, 2)) {
            Cli cli = loadgen(args(cluster, "10s"));

            assertThat(cli.err()).isEmpty();
            assertThat(cli.exit()).as(String.join("\n", cli.out())).isZero();
            assertThat(cli.resultLines()).hasSize(1);
            assertThat(cli.last()).startsWith("RESULT ").matches(RESULT_LINE);
            Map<String, String> r = LoadGenerator.Result.parse(cli.last());
            assertThat(r.keySet()).containsExactlyElementsOf(LoadGenerator.Result.KEYS);

            assertThat(r.get("bids_sent")).isEqualTo("50");
            // 10 of 50 invalid: 5 too low (acked, refused by the worker), 5 malformed (400)
            assertThat(cluster.badRequests()).isEqualTo(5);
            assertThat(Long.parseLong(r.get("bids_acked"))).isEqualTo(cluster.acked()).isEqualTo(45);
            assertThat(Long.parseLong(r.get("bids_rejected")))
                    .isEqualTo(cluster.badRequests() + cluster.workerRejections()).isGreaterThanOrEqualTo(10);
            assertThat(r.get("ws_clients")).isEqualTo("10");
            // clients 0,1,4,5,8,9 watch the first auction, 2,3,6,7 the second
            assertThat(Long.parseLong(r.get("frames_expected"))).isEqualTo(cluster.deliveries()).isPositive();
            assertThat(r.get("frames_received")).isEqualTo(r.get("frames_expected"));
            assertThat(r.get("lost")).isEqualTo("0");
            assertThat(r.get("duplicates")).isEqualTo("0");
            assertThat(r.get("reordered")).isEqualTo("0");
            assertLatencyIsOrdered(Double.parseDouble(r.get("p50_ms")), Double.parseDouble(r.get("p99_ms")),
                    Double.parseDouble(r.get("max_ms")));

            assertThat(cli.out()).anySatisfy(l -> assertThat(l).startsWith("progress t=").contains(" sent=50 "));
            assertThat(cli.out()).anySatisfy(l -> assertThat(l).startsWith("DETAILS ")
                    .contains(" invalid_sent=10 ", " rejected_invalid=10 ", " invalid_accepted=0 ", " drained=true "));
        }
    }

    @Test
    void aFrameDroppedForOneClientIsOneLostFrameAndFailsTheRun() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.DROP_ONE, 2)) {
            Cli cli = loadgen(args(cluster, "1s"));

            assertThat(cluster.faultsApplied()).isEqualTo(1);
            assertThat(cli.exit()).isEqualTo(1);
            assertThat(cli.resultLines()).hasSize(1);
            assertThat(cli.last()).matches(RESULT_LINE);
            Map<String, String> r = LoadGenerator.Result.parse(cli.last());
            assertThat(r.get("lost")).isEqualTo("1");
            assertThat(Long.parseLong(r.get("frames_expected"))).isEqualTo(cluster.deliveries());
            assertThat(Long.parseLong(r.get("frames_received"))).isEqualTo(cluster.deliveries() - 1);
            assertThat(r.get("duplicates")).isEqualTo("0");
            assertThat(r.get("reordered")).isEqualTo("0");
            assertThat(cli.out()).contains("FAILED: 1 frame(s) lost");
            assertThat(cli.out()).anySatisfy(l -> assertThat(l).startsWith("DETAILS ").contains(" drained=false "));
        }
    }

    @Test
    void aFrameSentTwiceToOneClientIsOneDuplicateAndFailsTheRun() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.DUPLICATE_ONE, 2)) {
            List<String> lines = new ArrayList<>();
            LoadGenerator.Result r = run(cluster, Duration.ofSeconds(10), lines);

            assertThat(cluster.faultsApplied()).isEqualTo(1);
            assertThat(r.duplicates()).isEqualTo(1);
            assertThat(r.lost()).isZero();
            assertThat(r.reordered()).isZero();
            assertThat(r.framesReceived()).isEqualTo(r.framesExpected()).isEqualTo(cluster.deliveries());
            assertThat(r.failures()).containsExactly("1 duplicate frame(s)");
            assertThat(r.exitCode()).isEqualTo(1);
            assertLatencyIsOrdered(r.p50Ms(), r.p99Ms(), r.maxMs());
        }
    }

    @Test
    void aFrameSentAfterTheNextOneIsOneReorderingAndFailsTheRun() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.REORDER_ONE, 2)) {
            LoadGenerator.Result r = run(cluster, Duration.ofSeconds(10), new ArrayList<>());

            assertThat(cluster.faultsApplied()).isEqualTo(1);
            assertThat(r.reordered()).isEqualTo(1);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            assertThat(r.framesReceived()).isEqualTo(r.framesExpected()).isEqualTo(cluster.deliveries());
            assertThat(r.failures()).containsExactly("1 frame(s) reordered");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.line()).matches(RESULT_LINE).contains(" reordered=1 ");
        }
    }

    @Test
    void throttledBidsAreNeitherAckedNorErrors() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.THROTTLE_EVERY_FIFTH, 1)) {
            LoadGenerator.Result r = run(cluster, Duration.ofSeconds(10), new ArrayList<>());

            assertThat(r.details().throttled()).isEqualTo(cluster.throttled()).isEqualTo(10);
            assertThat(r.bidsAcked()).isEqualTo(cluster.acked());
            assertThat(r.bidsSent()).isEqualTo(r.bidsAcked() + r.details().throttled() + cluster.badRequests());
            assertThat(r.lost()).isZero();
            assertThat(r.framesExpected()).isEqualTo(cluster.deliveries()).isPositive();
            assertThat(r.passed()).isTrue();
            assertThat(r.exitCode()).isZero();
        }
    }

    @Test
    void reusedAuctionsAreBidOnFromTheirCurrentStateAndIncrement() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.NONE, 2)) {
            ExecutorService threads = Executors.newCachedThreadPool();
            try {
                ApiClient api = new ApiClient(cluster.api(), Duration.ofSeconds(5), Duration.ofSeconds(5), threads);
                api.openAuction("R1", "reused", new BigDecimal("100.00"), new BigDecimal("2.50"),
                        Instant.now().plusSeconds(600)).get(5, TimeUnit.SECONDS);
                ApiClient.Session alice = api.openSession("alice").get(5, TimeUnit.SECONDS);
                // the auction opens on the worker a moment after the 202; the bid is checked there after it
                assertThat(api.bid("R1", alice.token(), "{\"amount\":\"100.00\"}").get(5, TimeUnit.SECONDS)
                        .statusCode()).isEqualTo(202);
                assertThat(api.auction("R1").get(5, TimeUnit.SECONDS)).hasValueSatisfying(a -> {
                    assertThat(a.seq()).isEqualTo(1);
                    assertThat(a.minimumNextBid()).isEqualByComparingTo("102.50");
                });
                long before = cluster.accepted();

                LoadGenerator.Result r = new LoadGenerator(options(cluster, Duration.ofSeconds(10)).toBuilder()
                        .reuseAuctions(List.of("R1")).invalidShare(0).build(), l -> { }).run();

                assertThat(r.passed()).as(r.failures().toString()).isTrue();
                assertThat(r.bidsAcked()).isEqualTo(50);
                assertThat(cluster.accepted() - before).as("bids of the run placed").isPositive();
                assertThat(r.framesExpected()).isEqualTo(cluster.deliveries()).isEqualTo(10 * (cluster.accepted()
                        - before));
                assertThat(r.details().foreignRaised()).isZero();
                // valid bids start at the auction's minimum next bid and step by its own increment
                BigDecimal highest = api.auction("R1").get(5, TimeUnit.SECONDS).orElseThrow().highest();
                assertThat(highest.subtract(new BigDecimal("102.50")).remainder(new BigDecimal("2.50")))
                        .isEqualByComparingTo("0");
                assertThat(highest).isGreaterThanOrEqualTo(new BigDecimal("102.50").add(new BigDecimal("2.50")
                        .multiply(BigDecimal.valueOf(cluster.accepted() - before - 1))));
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aWebsocketUpgradeRefusedFailsTheSetupWithStatus2AndNoResultLine() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.NONE, 1)) {
            // the API's port answers the upgrade 404: not a websocket node
            URI notANode = URI.create("ws://127.0.0.1:" + cluster.api().getPort() + "/ws");
            Cli cli = loadgen("--api", cluster.api().toString(), "--ws", notANode.toString(),
                    "--clients", "2", "--bidders", "1", "--duration", "1s", "--setup-timeout", "10s");

            assertThat(cli.exit()).isEqualTo(LoadgenCommand.EXIT_SETUP);
            assertThat(cli.resultLines()).isEmpty();
            assertThat(cli.err()).contains("loadgen: setup failed: 2 of 2 websocket clients failed to connect and "
                    + "subscribe; first: " + notANode + ": the websocket upgrade was answered 404 Not Found");
            assertThat(cli.err()).as("no token in messages").doesNotContain("token=");
        }
    }

    @Test
    void anAuctionToReuseThatDoesNotExistFailsTheSetup() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.NONE, 1)) {
            LoadGenerator.Options o = options(cluster, Duration.ofSeconds(1)).toBuilder()
                    .reuseAuctions(List.of("nope")).build();

            assertThatThrownBy(() -> new LoadGenerator(o, l -> { }).run())
                    .isInstanceOf(LoadGenerator.SetupException.class)
                    .hasMessage("auction nope does not exist (GET /auctions/nope answered 404)");
        }
    }

    @Test
    void aGeneratorRunsOnce() throws Exception {
        try (FakeAuctionCluster cluster = new FakeAuctionCluster(Fault.NONE, 1)) {
            LoadGenerator g = new LoadGenerator(options(cluster, Duration.ofSeconds(1)).toBuilder()
                    .reuseAuctions(List.of("missing")).build(), l -> { });

            assertThatThrownBy(g::run).isInstanceOf(LoadGenerator.SetupException.class);
            assertThatThrownBy(g::run).isInstanceOf(IllegalStateException.class)
                    .hasMessage("a LoadGenerator runs once; make another one");
        }
    }
}
