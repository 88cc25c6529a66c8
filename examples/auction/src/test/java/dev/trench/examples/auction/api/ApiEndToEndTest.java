package dev.trench.examples.auction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.examples.auction.cluster.WebSocketRole;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.support.Http;
import dev.trench.examples.auction.support.Ports;
import dev.trench.examples.auction.support.WsClient;
import dev.trench.examples.auction.worker.WorkerNode;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import dev.trench.transport.http.HttpServerConfig;
import dev.trench.transport.zmq.ZmqTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-to-end slice in one JVM, over the real transports: the API (HTTP) → its bus → HTTP with acknowledgement →
 * a worker (Guice-built bus, in-memory store) → ZeroMQ → a websocket node → a websocket client; the node's snapshots
 * come from the API over HTTP. Then every way the API refuses a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiEndToEndTest {
    private static final String KEY = "end-to-end-test-key-0123456789";

    private final SessionTokens tokens = new SessionTokens(KEY, Duration.ofHours(1), Clock.systemUTC());
    private final InMemoryAuctionStore store = new InMemoryAuctionStore();
    private final AtomicReference<String> apiUrl = new AtomicReference<>();
    private WebSocketRole ws;
    private WorkerNode worker;
    private ApiBus apiBus;
    private ApiServer api;
    private Http http;

    @BeforeAll
    void startTheSlice() {
        ws = WebSocketRole.start(WebSocketNodeConfig.builder().name("ws-test").host("127.0.0.1").port(0)
                        .ioThreads(1).fanoutThreads(1).build(), "tcp://127.0.0.1:*", tokens,
                new ApiSnapshotSource(apiUrl::get, Duration.ofSeconds(2)));
        String events = ws.eventsEndpoint();
        worker = WorkerNode.builder().name("worker-test").host("127.0.0.1").port(0).store(store)
                .events(ZmqTarget.endpoints("tcp://127.0.0.1:" + events.substring(events.lastIndexOf(':') + 1)))
                .start();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        apiBus = ApiBus.connect(WorkerAddresses.fixed(List.of(worker.endpoint())), registry);
        api = startApi(apiBus, new BidRateLimiter(1000, 1000, 1000), registry);
        apiUrl.set("http://127.0.0.1:" + api.port());
        http = new Http(api.port());
    }

    private ApiServer startApi(ApiBus bus, BidRateLimiter limiter, PrometheusMeterRegistry registry) {
        return ApiServer.builder()
                .server(HttpServerConfig.builder().name("api-test").host("127.0.0.1").port(0).ioThreads(1).build())
                .bus(bus.bus()).store(store).tokens(tokens).rateLimiter(limiter)
                .websockets(List.of("ws://localhost:" + ws.port() + "/ws"))
                .meterRegistry(registry)
                .build().start();
    }

    @AfterAll
    void stop() {
        api.close();
        apiBus.close();
        worker.close();
        ws.close();
    }

    private void open(String auctionId, String startingPrice) throws Exception {
        Http.Answer opened = http.post("/auctions", "{\"id\": \"" + auctionId + "\", \"title\": \"Lamp " + auctionId
                + "\", \"startingPrice\": \"" + startingPrice + "\", \"minIncrement\": \"0.50\", \"endsAt\": \""
                + Instant.now().plus(Duration.ofHours(1)) + "\"}", null);
        assertThat(opened.status()).as(opened.body()).isEqualTo(202);
        assertThat(opened.json().path("commandId").asText()).hasSize(36);
        assertThat(opened.json().path("auctionId").asText()).isEqualTo(auctionId);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/auctions/" + auctionId).status() == 200);
    }

    @Test
    void aSessionGivesAUserIdOfItsOwnAndATokenForIt() throws Exception {
        JsonNode session = http.session("Alice Smith");

        assertThat(session.path("userId").asText()).matches("alice-smith-[0-9a-f]{4}");
        assertThat(tokens.userOf(session.path("token").asText())).contains(session.path("userId").asText());
        assertThat(Instant.parse(session.path("expiresAt").asText())).isAfter(Instant.now());
    }

    @Test
    void aBidReachesAWorkerAndItsEventReachesAWebsocketClient() throws Exception {
        open("E2E", "10.00");
        JsonNode alice = http.session("alice");
        try (WsClient client = WsClient.connect(ws.port(), alice.path("token").asText())) {
            JsonNode snapshot = client.subscribe("E2E");
            assertThat(snapshot.path("type").asText()).isEqualTo("Snapshot");
            assertThat(snapshot.path("title").asText()).as("the snapshot came from the API").isEqualTo("Lamp E2E");
            assertThat(snapshot.path("seq").asLong()).isZero();

            Http.Answer bid = http.post("/auctions/E2E/bids", "{\"amount\": \"12.50\"}", alice.path("token").asText());

            assertThat(bid.status()).as(bid.body()).isEqualTo(202);
            String commandId = bid.json().path("commandId").asText();
            assertThat(commandId).hasSize(36);
            JsonNode raised = client.next(f -> f.path("type").asText().equals("AuctionRaised"));
            assertThat(raised.path("auctionId").asText()).isEqualTo("E2E");
            assertThat(raised.path("amount").asText()).isEqualTo("12.50");
            assertThat(raised.path("userId").asText()).isEqualTo(alice.path("userId").asText());
            assertThat(raised.path("seq").asLong()).isEqualTo(1);
        }
        JsonNode state = http.get("/auctions/E2E").json();
        assertThat(state.path("highest").asText()).isEqualTo("12.50");
        assertThat(state.path("leader").asText()).isEqualTo(alice.path("userId").asText());
        assertThat(state.path("seq").asLong()).isEqualTo(1);
        assertThat(state.path("status").asText()).isEqualTo("open");
        assertThat(state.path("minimumNextBid").asText()).isEqualTo("13.00");
    }

    @Test
    void aRefusedBidIsReportedToTheBiddersSessionsOnly() throws Exception {
        open("REJ", "10.00");
        JsonNode alice = http.session("alice");
        JsonNode bob = http.session("bob");
        try (WsClient aliceClient = WsClient.connect(ws.port(), alice.path("token").asText());
             WsClient bobClient = WsClient.connect(ws.port(), bob.path("token").asText());
             WsClient watcher = WsClient.connect(ws.port(), null)) {
            aliceClient.subscribe("REJ");
            bobClient.subscribe("REJ");
            watcher.subscribe("REJ");

            Http.Answer low = http.post("/auctions/REJ/bids", "{\"amount\": \"1.00\"}", alice.path("token").asText());
            assertThat(low.status()).as("acknowledged by the worker, refused afterwards").isEqualTo(202);

            JsonNode rejected = aliceClient.next();
            assertThat(rejected.path("type").asText()).isEqualTo("BidRejected");
            assertThat(rejected.path("reason").asText()).isEqualTo("bid-too-low");
            assertThat(rejected.path("amount").asText()).isEqualTo("1.00");
            assertThat(rejected.path("commandId").asText()).isEqualTo(low.json().path("commandId").asText());

            Http.Answer good = http.post("/auctions/REJ/bids", "{\"amount\": \"10.00\"}", bob.path("token").asText());
            assertThat(good.status()).isEqualTo(202);
            // the rejection was published before bob's bid was sent: had it gone to bob or the anonymous watcher,
            // it would come before this AuctionRaised
            assertThat(bobClient.next().path("type").asText()).isEqualTo("AuctionRaised");
            assertThat(watcher.next().path("type").asText()).isEqualTo("AuctionRaised");
            assertThat(aliceClient.next().path("type").asText()).isEqualTo("AuctionRaised");
        }
    }

    @Test
    void openAuctionsAreListedAndConfigNamesTheWebsockets() throws Exception {
        open("LIST", "5.00");

        Http.Answer list = http.get("/auctions");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().findValuesAsText("id")).contains("LIST");
        JsonNode listed = null;
        for (JsonNode a : list.json()) {
            if (a.path("id").asText().equals("LIST")) {
                listed = a;
            }
        }
        assertThat(listed.path("startingPrice").asText()).isEqualTo("5.00");
        assertThat(listed.path("highest").isNull()).isTrue();

        JsonNode config = http.get("/config").json();
        assertThat(config.path("websockets").get(0).asText()).isEqualTo("ws://localhost:" + ws.port() + "/ws");
    }

    @Test
    void thePageAndItsAssetsAreServed() throws Exception {
        Http.Answer page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("id=\"bid-amount\"", "id=\"bid-submit\"", "id=\"status\"", "id=\"price\"",
                "id=\"leader\"", "id=\"history\"", "id=\"name\"", "id=\"login\"", "/app.js");
        assertThat(http.get("/app.js").body()).contains("new WebSocket(");
        assertThat(http.get("/app.css").contentType()).startsWith("text/css");
    }

    @Test
    void tooManyBidsFromOneUserGet429WithRetryAfter() throws Exception {
        open("RATE", "10.00");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ApiServer strict = startApi(apiBus, new BidRateLimiter(0.01, 2, 100), registry)) {
            Http strictHttp = new Http(strict.port());
            String token = strictHttp.session("carol").path("token").asText();
            String other = strictHttp.session("dave").path("token").asText();

            assertThat(strictHttp.post("/auctions/RATE/bids", "{\"amount\": \"20.00\"}", token).status())
                    .isEqualTo(202);
            assertThat(strictHttp.post("/auctions/RATE/bids", "{\"amount\": \"30.00\"}", token).status())
                    .isEqualTo(202);
            Http.Answer third = strictHttp.post("/auctions/RATE/bids", "{\"amount\": \"40.00\"}", token);

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.contentType()).isEqualTo("application/problem+json");
            assertThat(third.json().path("type").asText()).isEqualTo("urn:trench:problem:too-many-bids");
            assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 100L);
            assertThat(strictHttp.post("/auctions/RATE/bids", "{\"amount\": \"50.00\"}", other).status())
                    .as("another user is not limited by carol's bids").isEqualTo(202);
        }
    }

    @Test
    void whenNoWorkerAcceptsTheBidTheAnswerIs503() throws Exception {
        open("DOWN", "10.00");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ApiBus nowhere = ApiBus.connect(WorkerAddresses.fixed(List.of("127.0.0.1:" + Ports.unused())),
                new SimpleMeterRegistry(), s -> s.maxAttempts(2).connectTimeout(Duration.ofMillis(500))
                        .requestTimeout(Duration.ofSeconds(1)), "api-nowhere");
             ApiServer orphan = startApi(nowhere, new BidRateLimiter(100, 100, 100), registry)) {
            Http orphanHttp = new Http(orphan.port());
            String token = orphanHttp.session("erin").path("token").asText();

            Http.Answer answer = orphanHttp.post("/auctions/DOWN/bids", "{\"amount\": \"20.00\"}", token);

            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.json().path("type").asText()).isEqualTo("urn:trench:problem:no-worker");
            assertThat(answer.json().path("detail").asText()).contains("RaiseBid was not accepted");
            assertThat(answer.header("Retry-After")).isNotNull();
        }
    }

    /** Every 4xx of the bid route, each with its problem body. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class BidRefusals {
        private String token;

        @BeforeAll
        void session() throws Exception {
            open("BAD", "10.00");
            token = http.session("frank").path("token").asText();
        }

        private void assertProblem(Http.Answer answer, int status, String slug, String field) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(status);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
            JsonNode problem = answer.json();
            assertThat(problem.path("type").asText()).isEqualTo("urn:trench:problem:" + slug);
            assertThat(problem.path("status").asInt()).isEqualTo(status);
            assertThat(problem.path("title").asText()).isNotBlank();
            if (field == null) {
                assertThat(problem.has("field")).isFalse();
            } else {
                assertThat(problem.path("field").asText()).isEqualTo(field);
                assertThat(problem.path("detail").asText()).startsWith(field + ": ");
            }
        }

        @Test
        void withoutATokenTheAnswerIs401() throws Exception {
            Http.Answer answer = http.post("/auctions/BAD/bids", "{\"amount\": \"12.50\"}", null);

            assertProblem(answer, 401, "unauthorized", null);
            assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
        }

        @Test
        void aForgedTokenIs401() throws Exception {
            String forged = new SessionTokens("some-other-key-of-enough-bytes", Duration.ofHours(1),
                    Clock.systemUTC()).issue("frank-0000").token();

            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"12.50\"}", forged), 401, "unauthorized",
                    null);
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"12.50\"}", "garbage"), 401, "unauthorized",
                    null);
        }

        @Test
        void anExpiredTokenIs401() throws Exception {
            Clock twoHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
            String expired = new SessionTokens(KEY, Duration.ofHours(1), twoHoursAgo).issue("frank-0000").token();

            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"12.50\"}", expired), 401, "unauthorized",
                    null);
        }

        @Test
        void anAmountAsAJsonNumberIsRefused() throws Exception {
            Http.Answer answer = http.post("/auctions/BAD/bids", "{\"amount\": 12.50}", token);

            assertProblem(answer, 400, "invalid-field", "amount");
            assertThat(answer.json().path("detail").asText()).contains("decimal string", "JSON number");
        }

        @Test
        void aMissingAmountIsRefused() throws Exception {
            assertProblem(http.post("/auctions/BAD/bids", "{}", token), 400, "missing-field", "amount");
        }

        @Test
        void anAmountThatIsNotADecimalIsRefused() throws Exception {
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"12,50\"}", token), 400, "invalid-field",
                    "amount");
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"1e3\"}", token), 400, "invalid-field",
                    "amount");
        }

        @Test
        void theCommandsOwnValidationNamesTheField() throws Exception {
            Http.Answer negative = http.post("/auctions/BAD/bids", "{\"amount\": \"-5\"}", token);
            assertProblem(negative, 400, "invalid-field", "amount");
            assertThat(negative.json().path("detail").asText()).isEqualTo("amount: must be positive, was -5");

            Http.Answer tooPrecise = http.post("/auctions/BAD/bids", "{\"amount\": \"1.234\"}", token);
            assertProblem(tooPrecise, 400, "invalid-field", "amount");
            assertThat(tooPrecise.json().path("detail").asText()).contains("at most 2 decimals");
        }

        @Test
        void theUserCannotBeGivenInTheBody() throws Exception {
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"12.50\", \"userId\": \"alice\"}", token),
                    400, "unknown-field", "userId");
        }

        @Test
        void aBodyThatIsNotAJsonObjectIsRefused() throws Exception {
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": ", token), 400, "malformed", null);
            assertProblem(http.post("/auctions/BAD/bids", "[\"12.50\"]", token), 400, "malformed", null);
            assertProblem(http.post("/auctions/BAD/bids", "{\"amount\": \"1\", \"amount\": \"2\"}", token), 400,
                    "malformed", null);
        }

        @Test
        void aBodyThatIsNotJsonIs415() throws Exception {
            assertProblem(http.post("/auctions/BAD/bids", "amount=12.50", "application/x-www-form-urlencoded", token),
                    415, "unsupported-media-type", null);
        }

        @Test
        void anUnknownAuctionIs404() throws Exception {
            Http.Answer answer = http.get("/auctions/no-such-auction");

            assertProblem(answer, 404, "unknown-auction", null);
            assertThat(answer.json().path("auctionId").asText()).isEqualTo("no-such-auction");
        }

        @Test
        void aBadSessionNameIsRefused() throws Exception {
            assertProblem(http.post("/session", "{\"name\": \"\"}", null), 400, "invalid-field", "name");
            assertProblem(http.post("/session", "{\"name\": 7}", null), 400, "invalid-field", "name");
            assertProblem(http.post("/session", "{}", null), 400, "missing-field", "name");
        }

        @Test
        void badAuctionsAreRefusedNamingTheField() throws Exception {
            String future = Instant.now().plus(Duration.ofHours(1)).toString();
            assertProblem(http.post("/auctions", "{\"id\": \"N1\", \"title\": \"T\", \"startingPrice\": 10,"
                    + " \"minIncrement\": \"0.50\", \"endsAt\": \"" + future + "\"}", null), 400, "invalid-field",
                    "startingPrice");
            assertProblem(http.post("/auctions", "{\"id\": \"N1\", \"title\": \"T\", \"startingPrice\": \"10\","
                    + " \"minIncrement\": \"0.50\", \"endsAt\": \"tomorrow\"}", null), 400, "invalid-field", "endsAt");
            assertProblem(http.post("/auctions", "{\"id\": \"N1\", \"title\": \"T\", \"startingPrice\": \"10\","
                    + " \"minIncrement\": \"0.50\", \"endsAt\": \"2001-01-01T00:00:00Z\"}", null), 400,
                    "invalid-field", "endsAt");
            assertProblem(http.post("/auctions", "{\"id\": \"a b\", \"title\": \"T\", \"startingPrice\": \"10\","
                    + " \"minIncrement\": \"0.50\", \"endsAt\": \"" + future + "\"}", null), 400, "invalid-field",
                    "id");
            assertProblem(http.post("/auctions", "{\"id\": \"N1\", \"startingPrice\": \"10\","
                    + " \"minIncrement\": \"0.50\", \"endsAt\": \"" + future + "\"}", null), 400, "missing-field",
                    "title");
        }

        @Test
        void anAuctionThatExistsIs409() throws Exception {
            Http.Answer answer = http.post("/auctions", "{\"id\": \"BAD\", \"title\": \"T\", \"startingPrice\":"
                    + " \"10\", \"minIncrement\": \"0.50\", \"endsAt\": \"" + Instant.now().plusSeconds(600)
                    + "\"}", null);

            assertProblem(answer, 409, "auction-exists", "id");
        }
    }
}
