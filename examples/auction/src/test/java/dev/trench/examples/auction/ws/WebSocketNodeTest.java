package dev.trench.examples.auction.ws;

import static dev.trench.examples.auction.ws.TestEvents.raised;
import static dev.trench.examples.auction.ws.TestEvents.rejected;
import static dev.trench.examples.auction.ws.TestEvents.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WebSocketNodeTest {
    private final NodeFixture fixture = new NodeFixture(b -> b.maxSubscriptionsPerSession(2));

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aSubscriberGetsTheSnapshotFirstThenEachAuctionRaisedAsJson() throws Exception {
        fixture.snapshots.current.put("A1", snapshot("A1", 0));
        try (WsTestClient client = WsTestClient.connect(fixture.port)) {
            JsonNode first = client.subscribe("A1");
            assertThat(first.path("title").asText()).isEqualTo("Lamp A1");
            assertThat(first.path("highest").isNull()).isTrue();
            assertThat(first.path("leader").isNull()).isTrue();
            assertThat(first.path("seq").asLong()).isZero();
            assertThat(first.path("status").asText()).isEqualTo("open");
            assertThat(first.path("endsAt").asText()).isEqualTo("2099-01-01T00:00:00Z");

            fixture.node.accept(raised("A1", 1, "alice"));

            JsonNode event = client.next();
            assertThat(event.path("type").asText()).isEqualTo("AuctionRaised");
            assertThat(event.path("auctionId").asText()).isEqualTo("A1");
            assertThat(event.path("amount").isTextual()).as("amount is a decimal string").isTrue();
            assertThat(event.path("amount").asText()).isEqualTo("11.00");
            assertThat(event.path("userId").asText()).isEqualTo("alice");
            assertThat(event.path("seq").asLong()).isEqualTo(1);
            assertThat(event.path("at").asText()).isEqualTo("2026-11-23T12:00:01Z");
        }
        await().untilAsserted(() -> {
            assertThat(fixture.counter(WebSocketMeters.FANNED_OUT, "type", "auction-raised")).isEqualTo(1);
            assertThat(fixture.counter(WebSocketMeters.FANNED_OUT, "type", "snapshot")).isEqualTo(1);
            assertThat(fixture.registry.get(WebSocketMeters.FANOUT_LAG).timer().count()).isEqualTo(1);
        });
    }

    @Test
    void eachClientGetsOnlyTheAuctionsItSubscribedTo() throws Exception {
        try (WsTestClient one = WsTestClient.connect(fixture.port);
                WsTestClient two = WsTestClient.connect(fixture.port)) {
            fixture.snapshots.current.put("A1", snapshot("A1", 0));
            fixture.snapshots.current.put("A2", snapshot("A2", 0));
            one.subscribe("A1");
            two.subscribe("A2");

            fixture.node.accept(raised("A2", 1));
            fixture.node.accept(raised("A1", 1));
            fixture.node.accept(raised("A2", 2));
            fixture.node.accept(raised("A1", 2));

            List<JsonNode> ones = one.until("A1", 2);
            List<JsonNode> twos = two.until("A2", 2);
            assertThat(ones).extracting(m -> m.path("auctionId").asText() + "#" + m.path("seq").asLong())
                    .containsExactly("A1#1", "A1#2");
            assertThat(twos).extracting(m -> m.path("auctionId").asText() + "#" + m.path("seq").asLong())
                    .containsExactly("A2#1", "A2#2");

            one.send("{\"unsubscribe\": \"A1\"}");
            one.subscribe("A2");
            fixture.node.accept(raised("A1", 3));
            fixture.node.accept(raised("A2", 3));
            JsonNode m = one.next();
            assertThat(m.path("auctionId").asText()).isEqualTo("A2");
            assertThat(m.path("seq").asLong()).isEqualTo(3);
        }
    }

    @Test
    void bidRejectedGoesOnlyToTheBiddersOwnSessions() throws Exception {
        fixture.snapshots.current.put("A1", snapshot("A1", 0));
        try (WsTestClient alice1 = WsTestClient.connect(fixture.port, "t-alice");
                WsTestClient alice2 = WsTestClient.connect(fixture.port, "t-alice");
                WsTestClient bob = WsTestClient.connect(fixture.port, "t-bob");
                WsTestClient anonymous = WsTestClient.connect(fixture.port)) {
            for (WsTestClient c : List.of(alice1, bob, anonymous)) {
                c.subscribe("A1");
            }
            // alice2 subscribed to nothing: a rejection still reaches her

            fixture.node.accept(rejected("A1", "alice", "cmd-1"));
            fixture.node.accept(raised("A1", 1, "bob"));

            for (WsTestClient alice : List.of(alice1, alice2)) {
                JsonNode r = alice.next();
                assertThat(r.path("type").asText()).isEqualTo("BidRejected");
                assertThat(r.path("auctionId").asText()).isEqualTo("A1");
                assertThat(r.path("amount").asText()).isEqualTo("9.50");
                assertThat(r.path("reason").asText()).isEqualTo("bid-too-low");
                assertThat(r.path("message").asText()).isEqualTo("bid 9.50 is below the minimum 12.00");
                assertThat(r.path("commandId").asText()).isEqualTo("cmd-1");
                assertThat(r.path("at").asText()).isEqualTo("2026-11-23T12:00:00Z");
            }
            assertThat(alice1.next().path("type").asText()).isEqualTo("AuctionRaised");
            // The rejection was queued (synchronously, in accept) before the raise was handed to the auction's thread,
            // so had it gone to bob or to the anonymous watcher, it would come before the raise.
            for (WsTestClient other : List.of(bob, anonymous)) {
                JsonNode m = other.next();
                assertThat(m.path("type").asText()).isEqualTo("AuctionRaised");
                assertThat(m.path("seq").asLong()).isEqualTo(1);
            }
        }
    }

    @Test
    void badClientMessagesAreAnsweredWithErrorAndTheSessionKeepsWorking() throws Exception {
        fixture.snapshots.current.put("A1", snapshot("A1", 0));
        try (WsTestClient client = WsTestClient.connect(fixture.port)) {
            client.send("{not json");
            assertError(client.next(), "malformed", "not valid JSON");
            client.send("[\"subscribe\", \"A1\"]");
            assertError(client.next(), "malformed", "expected a JSON object");
            client.send("{\"subscribe\": \"A1\", \"unsubscribe\": \"A2\"}");
            assertError(client.next(), "malformed", "exactly one");
            client.send("{\"watch\": \"A1\"}");
            assertError(client.next(), "unknown-field", "unknown key 'watch'");
            client.send("{\"subscribe\": 12}");
            assertError(client.next(), "invalid-auction-id", "expected an auction id");
            client.send("{\"subscribe\": \"../etc\"}");
            assertError(client.next(), "invalid-auction-id", "expected an auction id");
            client.send("{\"subscribe\": \"" + "A".repeat(2000) + "\"}");
            assertError(client.next(), "too-long", "longer than 1024 bytes");
            client.sendBinary(new byte[] {1, 2, 3});
            assertError(client.next(), "binary", "binary frames are not supported");

            client.subscribe("A1");
            fixture.snapshots.current.put("A2", snapshot("A2", 0));
            client.subscribe("A2");
            client.send("{\"subscribe\": \"A3\"}");
            assertError(client.next(), "too-many-subscriptions", "at most 2 subscriptions");

            fixture.node.accept(raised("A1", 1));
            JsonNode event = client.next();
            assertThat(event.path("type").asText()).isEqualTo("AuctionRaised");
            assertThat(event.path("seq").asLong()).isEqualTo(1);
        }
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "malformed")).isEqualTo(3);
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "unknown-field")).isEqualTo(1);
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "invalid-auction-id")).isEqualTo(2);
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "too-long")).isEqualTo(1);
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "binary")).isEqualTo(1);
        assertThat(fixture.counter(WebSocketMeters.CLIENT_ERRORS, "reason", "too-many-subscriptions")).isEqualTo(1);
    }

    private static void assertError(JsonNode m, String reason, String messagePart) {
        assertThat(m.path("type").asText()).isEqualTo("Error");
        assertThat(m.path("reason").asText()).isEqualTo(reason);
        assertThat(m.path("message").asText()).contains(messagePart);
    }

    @Test
    void aBadTokenIsRefusedWith401AndAGoodOneOrNoneIsAccepted() throws Exception {
        Throwable refused = catchThrowable(() -> WsTestClient.attempt(fixture.port, "?token=forged")
                .get(WsTestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(refused).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
        assertThat(fixture.counter(WebSocketMeters.UPGRADES_REFUSED, "reason", "unauthorized")).isEqualTo(1);

        try (WsTestClient alice = WsTestClient.connect(fixture.port, "t-alice");
                WsTestClient anonymous = WsTestClient.connect(fixture.port)) {
            await().until(() -> fixture.node.sessionCount() == 2);
        }
    }

    @Test
    void answersHealthAndMetrics() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> live = http.send(get("/health/live"), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("UP");
        HttpResponse<String> ready = http.send(get("/health/ready"), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("READY");

        try (WsTestClient client = WsTestClient.connect(fixture.port)) {
            await().until(() -> fixture.node.sessionCount() == 1);
            HttpResponse<String> metrics = http.send(get("/metrics"), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("auction_ws_sessions{node=\"ws-test\"} 1")
                    .contains("auction_ws_events_fanned_out_total")
                    .contains("auction_ws_fanout_lag_seconds_bucket")
                    .contains("auction_ws_slow_client_disconnects_total")
                    .contains("auction_ws_events_dropped_total{node=\"ws-test\",reason=\"stale\"}")
                    .contains("auction_ws_gaps_total")
                    .contains("auction_ws_client_errors_total{node=\"ws-test\",reason=\"malformed\"}");
        }

        assertThat(http.send(get("/nowhere"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        HttpResponse<String> notAnUpgrade = http.send(get("/ws"), HttpResponse.BodyHandlers.ofString());
        assertThat(notAnUpgrade.statusCode()).isEqualTo(426);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void closingTheNodeSendsGoingAwayToEverySessionAndReleasesItsThreads() throws Exception {
        WsTestClient client = WsTestClient.connect(fixture.port);
        await().until(() -> fixture.node.sessionCount() == 1);

        fixture.node.close();

        assertThat(client.awaitClose().status()).isEqualTo(1001);
        assertThat(fixture.node.isReady()).isFalse();
        await().untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName).as("threads of the closed node")
                .noneMatch(name -> name.startsWith("ws-test-")));
        client.close();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fixture.port + path);
    }
}
