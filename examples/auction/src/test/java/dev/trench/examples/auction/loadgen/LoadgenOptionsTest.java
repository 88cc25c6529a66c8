package dev.trench.examples.auction.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options' defaults and validation, and the RESULT line's format. */
class LoadgenOptionsTest {

    @Test
    void theDefaultsTargetTheEmbeddedCluster() {
        LoadGenerator.Options o = LoadGenerator.Options.builder().build();

        assertThat(o.api()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(o.websockets()).containsExactly(URI.create("ws://localhost:8081/ws"),
                URI.create("ws://localhost:8082/ws"));
        assertThat(o.rate()).isEqualTo(50);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.totalBids()).isEqualTo(1000);
        assertThat(o.auctionCount()).isEqualTo(2);
        assertThat(o.startingPrice()).isEqualTo(new BigDecimal("10.00"));
    }

    @Test
    void everyInvalidValueIsReportedAtOnceNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> LoadGenerator.Options.builder()
                .api(URI.create("ftp://x"))
                .websockets(List.of(URI.create("http://localhost:8081/ws")))
                .clients(5)
                .bidders(6)
                .rate(0)
                .invalidShare(1.5)
                .increment(new BigDecimal("0.001"))
                .startingPrice(new BigDecimal("0.01"))
                .drainTimeout(Duration.ZERO)
                .warmup(Duration.ofSeconds(-1))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid load generator options:\n"
                        + "  1. api: expected an http:// or https:// URL with a host, was ftp://x\n"
                        + "  2. websockets: expected a ws:// or wss:// URL with a host, was http://localhost:8081/ws\n"
                        + "  3. rate: must be at least 1 bid per second, was 0\n"
                        + "  4. warmup: must be zero or positive, was PT-1S\n"
                        + "  5. invalidShare: must be between 0 and 1, was 1.5\n"
                        + "  6. bidders: must be between 1 and clients (5), so that each bidder has a websocket "
                        + "client, was 6\n"
                        + "  7. startingPrice: must be more than 0.01 (the amount of too-low bids) with at most two "
                        + "decimals, was 0.01\n"
                        + "  8. increment: must be positive with at most two decimals, was 0.001\n"
                        + "  9. drainTimeout: must be positive, was PT0S");
    }

    @Test
    void reusedAuctionsReplaceTheCountAndBoundTheSubscriptions() {
        LoadGenerator.Options o = LoadGenerator.Options.builder().reuseAuctions(List.of("A1", "A2", "A3"))
                .subscriptionsPerClient(3).build();
        assertThat(o.auctionCount()).isEqualTo(3);

        assertThatThrownBy(() -> o.toBuilder().subscriptionsPerClient(4).build())
                .hasMessageContaining("subscriptionsPerClient: must be between 1 and the number of auctions (3), was 4");
        assertThatThrownBy(() -> o.toBuilder().reuseAuctions(List.of("A1", "A1")).build())
                .hasMessageContaining("reuseAuctions: an auction is listed twice in [A1, A1]");
        assertThatThrownBy(() -> o.toBuilder().reuseAuctions(List.of("A 1")).build())
                .hasMessageContaining("reuseAuctions: expected auction ids of 1-64 letters, digits, '-' or '_', was A 1");
    }

    @Test
    void aRunOfLessThanOneBidIsRefused() {
        assertThatThrownBy(() -> LoadGenerator.Options.builder().rate(1).duration(Duration.ofMillis(400)).build())
                .hasMessageContaining("duration: PT0.4S at 1 bids/s is less than one bid");
    }

    @Test
    void theResultLineHasTheTwelveKeysInOrderAndParsesBack() {
        LoadGenerator.Result r = new LoadGenerator.Result(50, 45, 10, 10, 225, 225, 0, 0, 0, 1.5, 12.25, 30.0,
                new LoadGenerator.Details(40, 10, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 225, true, 0));

        assertThat(r.line()).isEqualTo("RESULT bids_sent=50 bids_acked=45 bids_rejected=10 ws_clients=10 "
                + "frames_expected=225 frames_received=225 lost=0 duplicates=0 reordered=0 p50_ms=1.500 "
                + "p99_ms=12.250 max_ms=30.000");
        Map<String, String> parsed = LoadGenerator.Result.parse(r.line());
        assertThat(parsed.keySet()).containsExactlyElementsOf(LoadGenerator.Result.KEYS);
        assertThat(parsed.get("p99_ms")).isEqualTo("12.250");
        assertThat(r.passed()).isTrue();
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aResultLineWithKeysOutOfOrderIsRefused() {
        assertThatThrownBy(() -> LoadGenerator.Result.parse("RESULT bids_acked=1 bids_sent=1 bids_rejected=0 "
                + "ws_clients=1 frames_expected=0 frames_received=0 lost=0 duplicates=0 reordered=0 p50_ms=0 "
                + "p99_ms=0 max_ms=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected bids_sent=<value> as pair 1, found bids_acked=1");
        assertThatThrownBy(() -> LoadGenerator.Result.parse("RESULT lost=0"))
                .hasMessageStartingWith("expected 12 key=value pairs, found 1");
    }

    @Test
    void aRunThatSentOrAckedNothingFails() {
        LoadGenerator.Details none = new LoadGenerator.Details(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                true, 0);
        LoadGenerator.Result unacked = new LoadGenerator.Result(10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, none);

        assertThat(unacked.failures()).containsExactly("no bid was acked");
        assertThat(unacked.exitCode()).isEqualTo(1);
    }
}
