package dev.trench.examples.auction.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.examples.auction.AuctionWire;
import dev.trench.examples.auction.loadgen.LoadGenerator;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.RedisServer;
import dev.trench.examples.auction.support.Http;
import dev.trench.transport.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 5, point 8: the auction cluster as separate processes on loopback, started the container way (the runnable
 * jar, one role per JVM, configured by {@code AUCTION_*} environment variables only):
 * <ul>
 *   <li>a real {@code redis-server} ({@link RedisServer}: Debian's package; missing, the test fails naming it),</li>
 *   <li>two websocket nodes ({@code ws}), each with its own HTTP and ZeroMQ event port,</li>
 *   <li>two workers ({@code worker --store redis}), each publishing to both nodes' event endpoints,</li>
 *   <li>the API ({@code api --store redis}) dispatching to both workers and announcing both nodes,</li>
 * </ul>
 * then, in this JVM:
 * <ol>
 *   <li>the load generator, 200 websocket clients over both nodes, 100 bids/s for 20 s after a 3 s warmup: nothing
 *       lost, reordered or duplicated (overridable for local runs: {@code -Dauction.mp.clients}, {@code .rate},
 *       {@code .duration}, {@code .warmup}, ISO-8601 durations);</li>
 *   <li>the race: the same amount bid on a fresh auction by two users at once, one {@code RaiseBid} straight to each
 *       worker's {@code POST /commands}, released together; exactly one is accepted (seq 1, one {@code AuctionRaised}
 *       seen through both nodes), the other refused {@code bid-too-low}; repeated on fresh auctions
 *       ({@code -Dauction.mp.races}, 20);</li>
 *   <li>SIGTERM to every role: each exits within a bound with status 143 (or 0), and no child process is left.</li>
 * </ol>
 * Each child's output goes to {@code <build directory>/multi-process/<name>.log}; their tails are printed when a step
 * fails. Runs under maven-failsafe after {@code package} ({@code auction.jar} is the shaded jar's path).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiProcessClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(25);
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(15);
    private static final int TAIL_LINES = 40;

    private final int clients = Integer.getInteger("auction.mp.clients", 200);
    private final int rate = Integer.getInteger("auction.mp.rate", 100);
    private final Duration duration = Duration.parse(System.getProperty("auction.mp.duration", "PT20S"));
    private final Duration warmup = Duration.parse(System.getProperty("auction.mp.warmup", "PT3S"));
    private final int races = Integer.getInteger("auction.mp.races", 20);

    private final List<Child> children = new ArrayList<>();
    private final String runId = randomHex(3);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path logs;
    private RedisServer redis;
    private Child api;
    private Child worker1;
    private Child worker2;
    private Child ws1;
    private Child ws2;

    /** One role's JVM. */
    private record Child(String name, int port, Process process, Path log) {
        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    // ---- the cluster ----------------------------------------------------------------------------------------------

    @BeforeAll
    void startTheCluster() throws Exception {
        Path jar = Path.of(System.getProperty("auction.jar", "target/auction.jar"));
        assertThat(jar).as("the runnable jar (mvn package builds it; failsafe passes its path as -Dauction.jar)")
                .isRegularFile();
        logs = Path.of(System.getProperty("auction.test.output", "target"), "multi-process");
        Files.createDirectories(logs);
        redis = RedisServer.start(); // fails, naming Debian's redis-server package, when there is none

        int[] ports = freePorts(7);
        int apiPort = ports[0];
        int worker1Port = ports[1];
        int worker2Port = ports[2];
        int ws1Port = ports[3];
        int ws2Port = ports[4];
        int events1 = ports[5];
        int events2 = ports[6];
        String tokenKey = randomHex(32);
        String apiUrl = "http://127.0.0.1:" + apiPort;
        String events = "tcp://127.0.0.1:" + events1 + ",tcp://127.0.0.1:" + events2;

        long started = System.nanoTime();
        try {
            ws1 = launch("ws-1", ws1Port, "ws", wsEnv("ws-1", ws1Port, events1, apiUrl, tokenKey));
            ws2 = launch("ws-2", ws2Port, "ws", wsEnv("ws-2", ws2Port, events2, apiUrl, tokenKey));
            worker1 = launch("worker-1", worker1Port, "worker", workerEnv("worker-1", worker1Port, events));
            worker2 = launch("worker-2", worker2Port, "worker", workerEnv("worker-2", worker2Port, events));
            Map<String, String> apiEnv = new LinkedHashMap<>();
            apiEnv.put("AUCTION_API_HOST", "127.0.0.1");
            apiEnv.put("AUCTION_API_PORT", Integer.toString(apiPort));
            apiEnv.put("AUCTION_WORKERS", "127.0.0.1:" + worker1Port + ",127.0.0.1:" + worker2Port);
            apiEnv.put("AUCTION_WEBSOCKETS", "ws://127.0.0.1:" + ws1Port + "/ws,ws://127.0.0.1:" + ws2Port + "/ws");
            apiEnv.put("AUCTION_TOKEN_KEY", tokenKey);
            apiEnv.putAll(redisEnv());
            api = launch("api", apiPort, "api", apiEnv);

            for (Child child : children) {
                awaitReady(child);
            }
        } catch (Throwable t) {
            printTails();
            throw t;
        }
        System.out.printf(Locale.ROOT, "multi-process cluster ready in %d ms: api %d, workers %d %d, ws %d %d"
                        + " (events %d %d), redis %s, logs in %s%n", elapsedMillis(started), apiPort, worker1Port,
                worker2Port, ws1Port, ws2Port, events1, events2, redis.uri(), logs);
    }

    private Map<String, String> wsEnv(String name, int port, int eventsPort, String apiUrl, String tokenKey) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AUCTION_WS_NAME", name);
        env.put("AUCTION_WS_HOST", "127.0.0.1");
        env.put("AUCTION_WS_PORT", Integer.toString(port));
        env.put("AUCTION_WS_EVENTS_BIND", "tcp://127.0.0.1:" + eventsPort);
        env.put("AUCTION_API_URL", apiUrl);
        env.put("AUCTION_TOKEN_KEY", tokenKey);
        return env;
    }

    private Map<String, String> workerEnv(String name, int port, String events) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AUCTION_WORKER_NAME", name);
        env.put("AUCTION_WORKER_HOST", "127.0.0.1");
        env.put("AUCTION_WORKER_PORT", Integer.toString(port));
        env.put("AUCTION_WS_EVENTS", events);
        env.putAll(redisEnv());
        return env;
    }

    private Map<String, String> redisEnv() {
        return Map.of("AUCTION_STORE", "redis", "AUCTION_REDIS", redis.uri());
    }

    /** {@code java -Xmx256m -jar auction.jar ROLE}, configured by the environment only, output to a log file. */
    private Child launch(String name, int port, String role, Map<String, String> env) throws IOException {
        Path jar = Path.of(System.getProperty("auction.jar", "target/auction.jar"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toAbsolutePath().toString(),
                role)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("AUCTION_")); // only what this test sets
        builder.environment().putAll(env);
        Child child = new Child(name, port, builder.start(), log);
        children.add(child);
        return child;
    }

    /** Polls {@code GET /health/ready} until 200, within {@link #READY_TIMEOUT}; fails at once if the JVM exits. */
    private void awaitReady(Child child) {
        URI ready = URI.create(child.url() + "/health/ready");
        await(child.name() + " ready at " + ready).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!child.process().isAlive()) {
                        fail(child.name() + " exited with status " + child.process().exitValue() + " before it was"
                                + " ready:\n" + tail(child));
                    }
                    try {
                        return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false; // not listening yet
                    }
                });
    }

    @AfterAll
    void stopWhatIsLeft() {
        try {
            for (Child child : children) {
                if (child.process().isAlive()) {
                    child.process().destroyForcibly(); // the last resort: a test failed before the orderly stop
                }
            }
            for (Child child : children) {
                try {
                    child.process().waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    // ---- 1. the load ----------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void underLoadEveryClientOfBothNodesGetsEveryAcceptedBidOnceAndInOrder() throws Exception {
        withTailsOnFailure(() -> {
            List<String> announced = new ArrayList<>();
            new Http(api.port()).get("/config").json().path("websockets").forEach(u -> announced.add(u.asText()));
            assertThat(announced).as("GET /config announces both websocket nodes").containsExactly(
                    "ws://127.0.0.1:" + ws1.port() + "/ws", "ws://127.0.0.1:" + ws2.port() + "/ws");

            LoadGenerator.Options options = LoadGenerator.Options.builder()
                    .api(URI.create(api.url()))
                    .websockets(List.of(URI.create("ws://127.0.0.1:" + ws1.port() + "/ws"),
                            URI.create("ws://127.0.0.1:" + ws2.port() + "/ws")))
                    .clients(clients)
                    .bidders(Math.min(50, clients))
                    .rate(rate)
                    .duration(duration)
                    .warmup(warmup)
                    .build();
            List<String> progress = Collections.synchronizedList(new ArrayList<>());
            long started = System.nanoTime();
            LoadGenerator.Result result = new LoadGenerator(options, line -> {
                progress.add(line);
                System.out.println(line);
            }).run();
            System.out.println(result.line());
            System.out.println(result.details().line());
            Files.writeString(logs.resolve("loadgen-result.txt"), result.line() + "\n" + result.details().line()
                    + "\n");
            System.out.printf(Locale.ROOT, "load generator: %d clients, %d bids/s, %s + %s warmup, done in %d ms%n",
                    clients, rate, duration, warmup, elapsedMillis(started));

            String context = result.line() + "\n" + result.details().line() + "\nprogress:\n"
                    + String.join("\n", progress);
            assertThat(result.passed()).as("the run passed: %s\n%s", result.failures(), context).isTrue();
            assertThat(result.wsClients()).as(context).isEqualTo(clients);
            assertThat(result.bidsSent()).as(context).isEqualTo(options.totalBids());
            assertThat(result.bidsAcked()).as(context).isPositive();
            assertThat(result.framesExpected()).as(context).isPositive();
            assertThat(result.lost()).as("lost, " + context).isZero();
            assertThat(result.reordered()).as("reordered, " + context).isZero();
            assertThat(result.duplicates()).as("duplicates, " + context).isZero();
            assertThat(result.framesReceived()).as(context).isEqualTo(result.framesExpected());
            assertThat(result.details().invalidAccepted()).as(context).isZero();
            assertThat(result.details().unresolved()).as("acked bids without an outcome at a client, " + context)
                    .isZero();
        });
    }

    // ---- 2. the race ----------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void theSameBidRacedThroughBothWorkersAtOnceIsAcceptedExactlyOnce() throws Exception {
        withTailsOnFailure(() -> {
            Http apiHttp = new Http(api.port());
            JsonNode alice = apiHttp.session("alice");
            JsonNode bob = apiHttp.session("bob");
            String aliceId = alice.path("userId").asText();
            String bobId = bob.path("userId").asText();

            List<String> auctions = new ArrayList<>();
            for (int i = 1; i <= races; i++) {
                String id = "race-" + runId + "-" + i;
                auctions.add(id);
                Http.Answer opened = apiHttp.post("/auctions", JSON.writeValueAsString(Map.of("id", id,
                        "title", "Race " + i, "startingPrice", "10.00", "minIncrement", "1.00",
                        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())), null);
                assertThat(opened.status()).as("POST /auctions %s: %s", id, opened.body()).isEqualTo(202);
            }
            for (String id : auctions) {
                await("auction " + id + " known to the API").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(20)).until(() -> apiHttp.get("/auctions/" + id).status() == 200);
            }

            WireCodec codec = AuctionWire.codec();
            Supplier<MessageId> ids = MessageId.generator(Clock.systemUTC());
            HttpClient toWorker1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient toWorker2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ExecutorService racers = Executors.newFixedThreadPool(2);
            long started = System.nanoTime();
            try (FrameLog aliceWs = FrameLog.connect(ws1.port(), alice.path("token").asText());
                 FrameLog bobWs = FrameLog.connect(ws2.port(), bob.path("token").asText())) {
                // warm connections: the two POSTs of a race then start at the same time, not behind a handshake
                for (HttpClient c : List.of(toWorker1, toWorker2)) {
                    Child w = c == toWorker1 ? worker1 : worker2;
                    assertThat(c.send(HttpRequest.newBuilder(URI.create(w.url() + "/health/ready")).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
                }
                for (int i = 0; i < races; i++) {
                    String auction = auctions.get(i);
                    assertThat(aliceWs.subscribe(auction).path("seq").asLong()).isZero();
                    assertThat(bobWs.subscribe(auction).path("seq").asLong()).isZero();
                    BigDecimal amount = new BigDecimal("15.00");
                    // alternate which worker gets whose bid
                    boolean aliceOnWorker1 = i % 2 == 0;
                    MessageId aliceCmd = ids.get();
                    MessageId bobCmd = ids.get();
                    HttpRequest aliceBid = commandRequest(aliceOnWorker1 ? worker1 : worker2, codec,
                            new RaiseBid(auction, aliceId, amount), aliceCmd);
                    HttpRequest bobBid = commandRequest(aliceOnWorker1 ? worker2 : worker1, codec,
                            new RaiseBid(auction, bobId, amount), bobCmd);

                    // both senders wait at the start line, then are released together
                    CountDownLatch ready = new CountDownLatch(2);
                    CountDownLatch go = new CountDownLatch(1);
                    CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(
                            () -> sendWhenReleased(aliceOnWorker1 ? toWorker1 : toWorker2, aliceBid, ready, go),
                            racers);
                    CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(
                            () -> sendWhenReleased(aliceOnWorker1 ? toWorker2 : toWorker1, bobBid, ready, go),
                            racers);
                    assertThat(ready.await(10, TimeUnit.SECONDS)).as("both racers at the start line").isTrue();
                    go.countDown();
                    CompletableFuture.allOf(a, b).get(20, TimeUnit.SECONDS);
                    assertThat(a.get().statusCode()).as("worker acks alice's RaiseBid: %s", a.get().body())
                            .isEqualTo(202);
                    assertThat(b.get().statusCode()).as("worker acks bob's RaiseBid: %s", b.get().body())
                            .isEqualTo(202);

                    // both commands have an outcome: an AuctionRaised (every watcher sees it) or a BidRejected (only
                    // the bidder's sessions see it)
                    Predicate<JsonNode> ofAuction = f -> auction.equals(f.path("auctionId").asText());
                    Predicate<JsonNode> raised = ofAuction.and(f -> f.path("type").asText().equals("AuctionRaised"));
                    Predicate<JsonNode> rejected = ofAuction.and(f -> f.path("type").asText().equals("BidRejected"));
                    String why = "race " + (i + 1) + " on " + auction;
                    awaitTrue(why + ": both bids have an outcome", () -> aliceWs.count(raised)
                            + aliceWs.count(rejected) + bobWs.count(rejected) >= 2, aliceWs, bobWs);

                    List<JsonNode> raisedAtAlice = aliceWs.frames(raised);
                    List<JsonNode> rejections = new ArrayList<>(aliceWs.frames(rejected));
                    rejections.addAll(bobWs.frames(rejected));
                    assertThat(raisedAtAlice).as(why + ": one bid accepted, " + aliceWs + bobWs).hasSize(1);
                    assertThat(rejections).as(why + ": one bid refused, " + aliceWs + bobWs).hasSize(1);
                    JsonNode accepted = raisedAtAlice.get(0);
                    JsonNode refused = rejections.get(0);
                    String winner = accepted.path("userId").asText();
                    assertThat(winner).isIn(aliceId, bobId);
                    assertThat(accepted.path("seq").asLong()).isEqualTo(1);
                    assertThat(new BigDecimal(accepted.path("amount").asText())).isEqualByComparingTo(amount);
                    assertThat(refused.path("reason").asText()).isEqualTo("bid-too-low");
                    assertThat(refused.path("commandId").asText()).as("the loser's command is the one refused")
                            .isEqualTo((winner.equals(aliceId) ? bobCmd : aliceCmd).toString());

                    // the other node shows the same one accepted bid
                    awaitTrue(why + ": the AuctionRaised at bob's node", () -> bobWs.count(raised) >= 1, aliceWs,
                            bobWs);
                    assertThat(bobWs.frames(raised)).singleElement().satisfies(f -> {
                        assertThat(f.path("userId").asText()).isEqualTo(winner);
                        assertThat(f.path("seq").asLong()).isEqualTo(1);
                    });

                    // and the shared store holds exactly that one bid
                    JsonNode state = apiHttp.get("/auctions/" + auction).json();
                    assertThat(state.path("seq").asLong()).as(why + ": " + state).isEqualTo(1);
                    assertThat(state.path("leader").asText()).as(why + ": " + state).isEqualTo(winner);
                    assertThat(new BigDecimal(state.path("highest").asText())).as(why + ": " + state)
                            .isEqualByComparingTo(amount);
                }
                // nothing late: no second AuctionRaised of any raced auction reached either node's client
                for (String auction : auctions) {
                    for (FrameLog client : List.of(aliceWs, bobWs)) {
                        assertThat(client.count(f -> auction.equals(f.path("auctionId").asText())
                                && f.path("type").asText().equals("AuctionRaised"))).as(auction + " at " + client)
                                .isEqualTo(1);
                    }
                }
            } finally {
                racers.shutdownNow();
            }
            System.out.printf(Locale.ROOT, "race: %d races through both workers, each accepted exactly once, in %d ms%n",
                    races, elapsedMillis(started));
        });
    }

    private static HttpRequest commandRequest(Child worker, WireCodec codec, RaiseBid bid, MessageId id) {
        byte[] body = codec.encodeCommand(Envelope.of(bid, id, id, null, System.currentTimeMillis()));
        return HttpRequest.newBuilder(URI.create(worker.url() + "/commands"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private static HttpResponse<String> sendWhenReleased(HttpClient client, HttpRequest request,
            CountDownLatch ready, CountDownLatch go) {
        try {
            ready.countDown();
            if (!go.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the race was not released");
            }
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- 3. the stop ----------------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void sigtermStopsEveryRoleCleanlyAndLeavesNoProcess() throws Exception {
        withTailsOnFailure(() -> {
            assertThat(children).hasSize(5).allSatisfy(c -> assertThat(c.process().isAlive())
                    .as(c.name() + " still running before the stop").isTrue());
            Set<Long> pids = children.stream().map(c -> c.process().pid()).collect(Collectors.toSet());
            long started = System.nanoTime();
            // the order of a rolling stop: the API (no new bids), the workers (drain), the websocket nodes
            for (Child child : List.of(api, worker1, worker2, ws1, ws2)) {
                child.process().destroy(); // SIGTERM
            }
            Map<String, Integer> exits = new LinkedHashMap<>();
            for (Child child : children) {
                long left = STOP_TIMEOUT.toNanos() - (System.nanoTime() - started);
                assertThat(child.process().waitFor(Math.max(0, left), TimeUnit.NANOSECONDS))
                        .as(child.name() + " exits within " + STOP_TIMEOUT + " of SIGTERM").isTrue();
                exits.put(child.name(), child.process().exitValue());
            }
            System.out.printf(Locale.ROOT, "stop: every role exited %s within %d ms of SIGTERM%n", exits,
                    elapsedMillis(started));
            assertThat(exits).allSatisfy((name, status) -> assertThat(status)
                    .as(name + " exits with 143 (SIGTERM after its shutdown hook) or 0").isIn(143, 0));
            assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid).filter(pids::contains).collect(Collectors.toList()))
                    .as("no role's process is left").isEmpty();
            for (Child child : children) {
                assertThat(ProcessHandle.of(child.process().pid()).filter(ProcessHandle::isAlive))
                        .as(child.name() + " (pid " + child.process().pid() + ") is gone").isEmpty();
            }
        });
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private interface Step {
        void run() throws Exception;
    }

    private void withTailsOnFailure(Step step) throws Exception {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            printTails();
            throw e;
        }
    }

    private void printTails() {
        for (Child child : children) {
            System.out.println("---- " + child.name() + " (" + (child.process().isAlive() ? "running"
                    : "exited " + child.process().exitValue()) + "), last " + TAIL_LINES + " lines of "
                    + child.log() + ":");
            System.out.println(tail(child));
        }
    }

    private static String tail(Child child) {
        try {
            List<String> lines = Files.readAllLines(child.log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void awaitTrue(String what, java.util.concurrent.Callable<Boolean> condition, FrameLog... logs) {
        try {
            await(what).atMost(FRAME_TIMEOUT).pollInterval(Duration.ofMillis(5)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder seen = new StringBuilder(what + " within " + FRAME_TIMEOUT + "; frames seen:");
            for (FrameLog log : logs) {
                seen.append("\n").append(log);
            }
            throw new AssertionError(seen.toString(), e);
        }
    }

    /** {@code n} distinct loopback ports nothing listens on (all held open together while chosen). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            Set<Integer> ports = new LinkedHashSet<>();
            while (ports.size() < n) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports.add(s.getLocalPort());
            }
            return ports.stream().mapToInt(Integer::intValue).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** A browser stand-in (the JDK's websocket client) that keeps every JSON frame it received, in order. */
    private static final class FrameLog implements WebSocket.Listener, AutoCloseable {
        private static final HttpClient CLIENT = HttpClient.newHttpClient();
        private final List<JsonNode> frames = new ArrayList<>(); // guarded by this
        private final StringBuilder partial = new StringBuilder();
        private final String name;
        private WebSocket socket;

        private FrameLog(String name) {
            this.name = name;
        }

        static FrameLog connect(int port, String token) throws Exception {
            FrameLog log = new FrameLog("ws:" + port);
            URI uri = URI.create("ws://127.0.0.1:" + port + "/ws?token=" + URLEncoder.encode(token,
                    StandardCharsets.UTF_8));
            log.socket = CLIENT.newWebSocketBuilder().connectTimeout(FRAME_TIMEOUT).buildAsync(uri, log)
                    .get(FRAME_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return log;
        }

        /** Subscribes and returns the node's confirming {@code Snapshot}. */
        JsonNode subscribe(String auction) throws Exception {
            socket.sendText("{\"subscribe\": \"" + auction + "\"}", true)
                    .get(FRAME_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Predicate<JsonNode> snapshot = f -> f.path("type").asText().equals("Snapshot")
                    && auction.equals(f.path("auctionId").asText());
            awaitTrue("the Snapshot of " + auction + " at " + name, () -> count(snapshot) >= 1, this);
            return frames(snapshot).get(0);
        }

        synchronized List<JsonNode> frames(Predicate<JsonNode> which) {
            return frames.stream().filter(which).collect(Collectors.toList());
        }

        synchronized int count(Predicate<JsonNode> which) {
            return (int) frames.stream().filter(which).count();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    synchronized (this) {
                        frames.add(frame);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + partial, e);
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
        }

        @Override
        public synchronized String toString() {
            return name + " " + frames;
        }
    }
}
