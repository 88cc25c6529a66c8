package dev.trench.transport.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared HTTP server: health, metrics, routing, errors, ordering on one connection, drain. */
class HttpServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private HttpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpServerConfig config() {
        return HttpServerConfig.builder().name("test").host("127.0.0.1").port(0).ioThreads(1).maxRequestBytes(1024)
                .drainTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void answersHealthAndPrometheusMetrics() throws Exception {
        server = HttpServer.builder(config()).build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Response live = http.get("/health/live");
            RawHttp.Response ready = http.get("/health/ready");
            http.get("/nowhere");
            RawHttp.Response metrics = http.get("/metrics");

            assertThat(live.status()).isEqualTo(200);
            assertThat(live.json().get("status").asText()).isEqualTo("UP");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(metrics.text())
                    .contains("# TYPE trench_http_server_requests_seconds")
                    .contains("trench_http_server_requests_seconds_count{method=\"GET\",route=\"/health/live\","
                            + "server=\"test\",status=\"200\"} 1")
                    .contains("route=\"unmatched\",server=\"test\",status=\"404\"");
        }
    }

    @Test
    void isNotReadyUntilItsReadinessCheckPasses() throws Exception {
        AtomicBoolean warm = new AtomicBoolean();
        server = HttpServer.builder(config()).readinessCheck(warm::get).build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Response before = http.get("/health/ready");
            warm.set(true);
            RawHttp.Response after = http.get("/health/ready");

            assertThat(before.status()).isEqualTo(503);
            assertThat(before.json().get("reason").asText()).isEqualTo("not-ready");
            assertThat(http.get("/health/live").status()).as("alive while not ready").isEqualTo(200);
            assertThat(after.status()).isEqualTo(200);
        }
    }

    @Test
    void routesWithPathParametersAndAnswersUnknownPathsAndMethodsWithProblems() throws Exception {
        server = HttpServer.builder(config())
                .route("GET", "/auctions/{auctionId}", ex -> ex.respond(HttpReply.json(200,
                        Map.of("auction", ex.pathParameter("auctionId"), "q", String.valueOf(ex.queryParameter("q"))))))
                .route("GET", "/auctions/latest", ex -> ex.respond(HttpReply.text(200, "latest")))
                .route("DELETE", "/auctions/{auctionId}", ex -> ex.respond(HttpReply.empty(204)))
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Response param = http.get("/auctions/A%201?q=x");
            RawHttp.Response literal = http.get("/auctions/latest");
            RawHttp.Response missing = http.get("/bids/A1");
            RawHttp.Response wrongMethod = http.postJson("/auctions/A1", "{}".getBytes(UTF_8));

            assertThat(param.json().get("auction").asText()).isEqualTo("A 1");
            assertThat(param.json().get("q").asText()).isEqualTo("x");
            assertThat(literal.text()).as("a literal route wins over a parameter").isEqualTo("latest");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(missing.json().get("type").asText()).isEqualTo("urn:trench:problem:not-found");
            assertThat(missing.json().get("detail").asText()).isEqualTo("no route for GET /bids/A1");
            assertThat(wrongMethod.status()).isEqualTo(405);
            assertThat(wrongMethod.header("Allow")).isEqualTo("DELETE, GET");
        }
    }

    @Test
    void anOversizedBodyIs413AndTheConnectionStaysUsable() throws Exception {
        server = HttpServer.builder(config())
                .route("POST", "/echo", ex -> ex.respond(HttpReply.json(200, Map.of("length", ex.bodyLength()))))
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Response big = http.postJson("/echo", new byte[5000]);
            RawHttp.Response small = http.postJson("/echo", new byte[1024]);

            assertThat(big.status()).isEqualTo(413);
            assertThat(big.json().get("type").asText()).isEqualTo("urn:trench:problem:payload-too-large");
            assertThat(big.header("Connection")).isNull();
            assertThat(small.status()).isEqualTo(200);
            assertThat(small.json().get("length").asInt()).isEqualTo(1024);
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws Exception {
        server = HttpServer.builder(config())
                .route("POST", "/echo", ex -> ex.respond(HttpReply.json(200, Map.of("length", ex.bodyLength()))))
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            String chunk = "x".repeat(800);
            String request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/json\r\n\r\n"
                    + Integer.toHexString(800) + "\r\n" + chunk + "\r\n"
                    + Integer.toHexString(800) + "\r\n" + chunk + "\r\n0\r\n\r\n";
            http.write(request.getBytes(UTF_8));
            RawHttp.Response big = http.read();
            RawHttp.Response small = http.postJson("/echo", new byte[10]);

            assertThat(big.status()).isEqualTo(413);
            assertThat(small.json().get("length").asInt()).isEqualTo(10);
        }
    }

    @Test
    void expectContinueGetsTheGoAheadOrA413BeforeTheBodyIsSent() throws Exception {
        server = HttpServer.builder(config())
                .route("POST", "/echo", ex -> ex.respond(HttpReply.json(200, Map.of("length", ex.bodyLength()))))
                .build().start();
        try (RawHttp small = new RawHttp(server.port()); RawHttp big = new RawHttp(server.port())) {
            small.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(UTF_8));
            RawHttp.Response goAhead = small.read();
            small.write("hello".getBytes(UTF_8));
            RawHttp.Response answer = small.read();
            big.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(UTF_8));
            RawHttp.Response refused = big.read();

            assertThat(goAhead.status()).isEqualTo(100);
            assertThat(answer.json().get("length").asInt()).isEqualTo(5);
            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.header("Connection")).as("the body may still come: the connection closes")
                    .isEqualTo("close");
            assertThat(big.closedByPeerWithin(5_000)).isTrue();
        }
    }

    @Test
    void aFailingHandlerIsA500AndTheConnectionStaysUsable() throws Exception {
        server = HttpServer.builder(config())
                .route("GET", "/boom", ex -> {
                    throw new IllegalStateException("secret detail");
                })
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Response boom = http.get("/boom");
            RawHttp.Response live = http.get("/health/live");

            assertThat(boom.status()).isEqualTo(500);
            assertThat(boom.json().get("type").asText()).isEqualTo("urn:trench:problem:internal-error");
            assertThat(boom.text()).doesNotContain("secret detail");
            assertThat(live.status()).isEqualTo(200);
        }
    }

    @Test
    void anExchangeIsAnsweredExactlyOnce() throws Exception {
        CompletableFuture<Throwable> second = new CompletableFuture<>();
        server = HttpServer.builder(config())
                .route("GET", "/twice", ex -> {
                    ex.respond(HttpReply.text(200, "first"));
                    try {
                        ex.respond(HttpReply.text(200, "second"));
                        second.complete(null);
                    } catch (IllegalStateException e) {
                        second.complete(e);
                    }
                })
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            assertThat(http.get("/twice").text()).isEqualTo("first");
            assertThat(http.get("/health/live").status()).isEqualTo(200);
        }
        assertThat(second.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exactly once");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstAnswersLater() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = HttpServer.builder(config())
                .route("GET", "/slow", ex -> CompletableFuture.runAsync(() -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.respond(HttpReply.text(200, "slow"));
                }))
                .route("GET", "/fast", ex -> ex.respond(HttpReply.text(200, "fast")))
                .build().start();
        try (RawHttp http = new RawHttp(server.port())) {
            http.write(("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(UTF_8));
            release.countDown();

            assertThat(http.read().text()).isEqualTo("slow");
            assertThat(http.read().text()).isEqualTo("fast");
        }
    }

    @Test
    void aRequestThatIsNotHttpIsA400AndClosesOnlyItsConnection() throws Exception {
        server = HttpServer.builder(config()).build().start();
        try (RawHttp garbage = new RawHttp(server.port()); RawHttp other = new RawHttp(server.port())) {
            garbage.write("HELLO THERE\r\n\r\n".getBytes(UTF_8));
            RawHttp.Response r = garbage.read();

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("type").asText()).isEqualTo("urn:trench:problem:malformed-request");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(garbage.closedByPeerWithin(5_000)).isTrue();
            assertThat(other.get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void closeWaitsForAnswersInProgressThenClosesTheSockets() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicReference<HttpExchange> held = new AtomicReference<>();
        server = HttpServer.builder(config())
                .route("GET", "/held", ex -> {
                    held.set(ex);
                    entered.countDown();
                })
                .build().start();
        try (RawHttp http = new RawHttp(server.port()); RawHttp watcher = new RawHttp(server.port())) {
            http.send("GET", "/held", null, new byte[0], Map.of());
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            await().atMost(WAIT).until(server::isDraining);
            RawHttp.Response ready = watcher.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("reason").asText()).isEqualTo("draining");
            assertThat(held.get().draining()).isTrue();
            assertThat(closing).isNotDone();

            held.get().respond(HttpReply.text(200, "finally"));
            RawHttp.Response answer = http.read();
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(answer.text()).isEqualTo("finally");
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(server.isReady()).isFalse();
        }
    }

    @Test
    void extraPipelineHandlersCanServeAWebsocketNextToTheRoutes() throws Exception {
        server = HttpServer.builder(config())
                .pipeline(p -> p.addLast(new HttpObjectAggregator(65_536),
                        new WebSocketServerProtocolHandler("/ws"),
                        new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                ctx.writeAndFlush(new TextWebSocketFrame("echo:" + frame.text()));
                            }
                        }))
                .build().start();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        HttpClient client = HttpClient.newHttpClient();
        WebSocket ws = client.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        ws.sendText("bid", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("echo:bid");
        try (RawHttp http = new RawHttp(server.port())) {
            assertThat(http.get("/health/live").status()).isEqualTo(200);
        }
        ws.abort();
    }

    @Test
    void duplicateAndInvalidRoutesFailTheBuildListingEveryProblem() {
        HttpServer.Builder builder = HttpServer.builder(config())
                .route("GET", "/metrics", ex -> { })
                .route("GET", "/a/{x}", ex -> { })
                .route("GET", "/a/{y}", ex -> { })
                .route("GET", "no-slash", ex -> { })
                .route("G E T", "/b", ex -> { });

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HttpServer routes has 4 problems")
                .hasMessageContaining("route GET /metrics is defined more than once")
                .hasMessageContaining("route GET /a/{y} is defined more than once (as /a/{x} and /a/{y})")
                .hasMessageContaining("pattern: must be an absolute path such as /auctions/{auctionId}, was 'no-slash'")
                .hasMessageContaining("method: must be an HTTP method such as GET or POST, was 'G E T'");
    }

    @Test
    void aPortInUseFailsStartNamingTheAddress() {
        server = HttpServer.builder(config()).build().start();
        HttpServer second = HttpServer.builder(HttpServerConfig.from(config()).name("second").port(server.port())
                .build()).build();

        assertThatThrownBy(second::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server 'second' cannot listen on 127.0.0.1:" + server.port());
    }
}
