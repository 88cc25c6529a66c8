package dev.trench.transport.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.Envelope;
import dev.trench.transport.http.TestWorker.Work;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker endpoint over real loopback sockets. */
class HttpCommandServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T open(T c) {
        closeables.add(c);
        return c;
    }

    private static void assertProblem(RawHttp.Response r, int status, String slug) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asText()).isEqualTo("urn:trench:problem:" + slug);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).isNotBlank();
    }

    @Test
    void acknowledgesWith202BeforeTheHandlerFinishes() throws Exception {
        TestWorker worker = open(TestWorker.start());
        CountDownLatch gate = worker.closeGate();
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 1));
        RawHttp http = open(new RawHttp(worker.port()));

        RawHttp.Response ack = http.postJson("/commands", TestWorker.encode(sent));

        assertThat(ack.status()).isEqualTo(202);
        assertThat(ack.header("Content-Type")).isEqualTo("application/json");
        assertThat(ack.json().get("commandId").asText()).isEqualTo(sent.commandId().toString());
        assertThat(worker.handled).as("the handler is still held at the gate").isEmpty();

        gate.countDown();
        Envelope<?> handled = worker.handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(handled).isNotNull();
        assertThat(handled.commandId()).isEqualTo(sent.commandId());
        assertThat(handled.correlationId()).isEqualTo(sent.correlationId());
    }

    @Test
    void syncModeByHeaderAnswersWithTheResult() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 7));

        RawHttp.Response r = http.post("/commands", "application/json", TestWorker.encode(sent),
                Map.of(HttpCommandServer.MODE_HEADER, "sync"));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("commandId").asText()).isEqualTo(sent.commandId().toString());
        assertThat(r.json().get("result").asText()).isEqualTo("done:A1:7");
        assertThat(worker.handled).hasSize(1);
    }

    @Test
    void syncModeByConfigurationAndAckForcedByHeader() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.syncCommand(TestWorker.WORK)));
        RawHttp http = open(new RawHttp(worker.port()));

        RawHttp.Response sync = http.postJson("/commands", TestWorker.encode(new Work("A1", 1)));
        RawHttp.Response ack = http.post("/commands", "application/json", TestWorker.encode(new Work("A1", 2)),
                Map.of(HttpCommandServer.MODE_HEADER, "ack"));

        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.json().get("result").asText()).isEqualTo("done:A1:1");
        assertThat(ack.status()).isEqualTo(202);
        assertThat(ack.json().has("result")).isFalse();
    }

    @Test
    void syncModeAnswersARejectionWith422AndOtherFailuresWith500() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.syncCommand(TestWorker.WORK)));
        RawHttp http = open(new RawHttp(worker.port()));
        Envelope<Work> rejected = TestWorker.envelope(new Work("A1", 1));

        worker.failure.set(new CommandRejectedException("bid-too-low", "bid 10 is below the highest bid 12"));
        RawHttp.Response r422 = http.postJson("/commands", TestWorker.encode(rejected));
        worker.failure.set(new IllegalStateException("redis is down"));
        RawHttp.Response r500 = http.postJson("/commands", TestWorker.encode(new Work("A1", 2)));

        assertProblem(r422, 422, "command-rejected");
        assertThat(r422.json().get("reason").asText()).isEqualTo("bid-too-low");
        assertThat(r422.json().get("detail").asText()).isEqualTo("bid 10 is below the highest bid 12");
        assertThat(r422.json().get("commandId").asText()).isEqualTo(rejected.commandId().toString());
        assertProblem(r500, 500, "handler-failed");
        assertThat(r500.json().get("detail").asText()).contains("IllegalStateException").doesNotContain("redis");
    }

    @Test
    void anInvalidModeHeaderIsA400NamingTheHeader() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));

        RawHttp.Response r = http.post("/commands", "application/json", TestWorker.encode(new Work("A1", 1)),
                Map.of(HttpCommandServer.MODE_HEADER, "later"));

        assertProblem(r, 400, "invalid-header");
        assertThat(r.json().get("field").asText()).isEqualTo("X-Trench-Mode");
        assertThat(worker.invocations).hasValue(0);
    }

    @Test
    void badInputIsA400ProblemNamingTheField() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));
        String valid = new String(TestWorker.encode(new Work("A1", 3)), UTF_8);

        RawHttp.Response notJson = http.postJson("/commands", "{not json".getBytes(UTF_8));
        RawHttp.Response negative = http.postJson("/commands", valid.replace("\"n\":3", "\"n\":-3").getBytes(UTF_8));
        RawHttp.Response missingId = http.postJson("/commands",
                valid.replaceFirst("\"commandId\":\"[^\"]+\",", "").getBytes(UTF_8));
        RawHttp.Response unknownType = http.postJson("/commands",
                valid.replace("\"test.work\"", "\"test.nothing\"").getBytes(UTF_8));
        RawHttp.Response notHandledHere = http.postJson("/commands",
                TestWorker.encode(Envelope.builder(new TestWorker.Other("x")).commandId(TestWorker.envelope(
                        new Work("k", 0)).commandId()).createdAt(Instant.now()).build()));

        assertProblem(notJson, 400, "malformed");
        assertProblem(negative, 400, "invalid-field");
        assertThat(negative.json().get("field").asText()).isEqualTo("payload.n");
        assertThat(negative.json().get("detail").asText()).contains("must be >= 0");
        assertProblem(missingId, 400, "missing-field");
        assertThat(missingId.json().get("field").asText()).isEqualTo("commandId");
        assertProblem(unknownType, 400, "unknown-type");
        assertThat(unknownType.json().get("field").asText()).isEqualTo("type");
        assertProblem(notHandledHere, 400, "unknown-type");
        assertThat(worker.invocations).hasValue(0);
    }

    @Test
    void oversizeWrongContentTypeUnknownPathAndWrongMethodAreProblems() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.server(HttpServerConfig.builder().name("small")
                .host("127.0.0.1").port(0).ioThreads(1).maxRequestBytes(1024).build())));
        RawHttp http = open(new RawHttp(worker.port()));
        byte[] big = ("{\"type\":\"test.work\",\"pad\":\"" + "x".repeat(2000) + "\"}").getBytes(UTF_8);

        RawHttp.Response tooLarge = http.postJson("/commands", big);
        RawHttp.Response text = http.post("/commands", "text/plain", TestWorker.encode(new Work("A1", 1)), Map.of());
        RawHttp.Response noType = http.post("/commands", null, TestWorker.encode(new Work("A1", 1)), Map.of());
        RawHttp.Response unknownPath = http.postJson("/command", TestWorker.encode(new Work("A1", 1)));
        RawHttp.Response get = http.get("/commands");

        assertProblem(tooLarge, 413, "payload-too-large");
        assertThat(tooLarge.json().get("limit").asInt()).isEqualTo(1024);
        assertProblem(text, 415, "unsupported-media-type");
        assertThat(text.json().get("detail").asText()).contains("text/plain");
        assertProblem(noType, 415, "unsupported-media-type");
        assertProblem(unknownPath, 404, "not-found");
        assertProblem(get, 405, "method-not-allowed");
        assertThat(get.header("Allow")).isEqualTo("POST");
        assertThat(worker.invocations).hasValue(0);
        assertThat(http.get("/health/live").status()).as("the connection survived every error").isEqualTo(200);
    }

    @Test
    void aFullQueueIsA503WithRetryAfterAndNothingAckedIsLost() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.queueCapacity(1).workerThreads(1)));
        CountDownLatch gate = worker.closeGate();
        RawHttp http = open(new RawHttp(worker.port()));
        Envelope<Work> first = TestWorker.envelope(new Work("A1", 1));
        Envelope<Work> second = TestWorker.envelope(new Work("A1", 2));
        Envelope<Work> third = TestWorker.envelope(new Work("A1", 3));

        assertThat(http.postJson("/commands", TestWorker.encode(first)).status()).isEqualTo(202);
        assertThat(worker.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first one being handled")
                .isTrue();
        assertThat(http.postJson("/commands", TestWorker.encode(second)).status()).isEqualTo(202);
        RawHttp.Response full = http.postJson("/commands", TestWorker.encode(third));

        assertProblem(full, 503, "queue-full");
        assertThat(full.header("Retry-After")).isEqualTo("1");
        assertThat(full.json().get("commandId").asText()).isEqualTo(third.commandId().toString());

        gate.countDown();
        await().atMost(WAIT).until(() -> worker.handled.size() == 2);
        assertThat(worker.handled).extracting(Envelope::commandId).containsExactly(first.commandId(),
                second.commandId());
        // the refused id was not remembered: sent again once there is room, it is handled
        assertThat(http.postJson("/commands", TestWorker.encode(third)).status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> worker.handled.size() == 3);
    }

    @Test
    void aResentIdIsAcknowledgedAgainButHandledOnce() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 1));
        byte[] body = TestWorker.encode(sent);

        RawHttp.Response first = http.postJson("/commands", body);
        RawHttp.Response again = http.postJson("/commands", body);
        RawHttp.Response syncAgain = http.post("/commands", "application/json", body,
                Map.of(HttpCommandServer.MODE_HEADER, "sync"));
        Envelope<Work> marker = TestWorker.envelope(new Work("A1", 2));
        http.postJson("/commands", TestWorker.encode(marker));

        assertThat(first.status()).isEqualTo(202);
        assertThat(first.json().has("duplicate")).isFalse();
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        assertThat(again.json().get("commandId").asText()).isEqualTo(sent.commandId().toString());
        assertThat(syncAgain.status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> worker.handled.size() == 2);
        assertThat(worker.handled).extracting(Envelope::commandId)
                .containsExactlyInAnyOrder(sent.commandId(), marker.commandId());
        assertThat(worker.invocations).hasValue(2);
        assertThat(worker.registry.get(HttpMeters.DUPLICATES).counter().count()).isEqualTo(2.0);
    }

    @Test
    void anIdIsForgottenAfterTheDedupeWindow() throws Exception {
        AtomicLong now = new AtomicLong(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli());
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        TestWorker worker = open(TestWorker.start("127.0.0.1", 0, c -> c.dedupeWindow(Duration.ofMinutes(5)),
                clock));
        RawHttp http = open(new RawHttp(worker.port()));
        byte[] body = TestWorker.encode(new Work("A1", 1));

        http.postJson("/commands", body);
        now.addAndGet(Duration.ofMinutes(4).toMillis());
        RawHttp.Response within = http.postJson("/commands", body);
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        RawHttp.Response after = http.postJson("/commands", body);

        assertThat(within.json().get("duplicate").asBoolean()).isTrue();
        assertThat(after.json().has("duplicate")).as("5 minutes after its acceptance the id is new again").isFalse();
        await().atMost(WAIT).until(() -> worker.invocations.get() == 2);
    }

    @Test
    void aMalformedBodyDoesNotHurtTheNextRequestOnTheSameConnection() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));
        Envelope<Work> valid = TestWorker.envelope(new Work("A1", 1));

        RawHttp.Response bad = http.postJson("/commands", new byte[] {'{', 0, 1, 2, (byte) 0xFF});
        RawHttp.Response good = http.postJson("/commands", TestWorker.encode(valid));

        assertThat(bad.status()).isEqualTo(400);
        assertThat(good.status()).isEqualTo(202);
        Envelope<?> handled = worker.handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(handled).isNotNull();
        assertThat(handled.commandId()).isEqualTo(valid.commandId());
        assertThat(http.closedByPeerWithin(200)).isFalse();
    }

    @Test
    void keepsManyConcurrentKeepAliveConnections() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.queueCapacity(10_000)));
        int connections = 64;
        int perConnection = 20;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        CountDownLatch allConnected = new CountDownLatch(connections);
        try {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int client = c;
                clients.add(CompletableFuture.runAsync(() -> {
                    try (RawHttp http = new RawHttp(worker.port())) {
                        allConnected.countDown();
                        assertThat(allConnected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                        for (int i = 0; i < perConnection; i++) {
                            RawHttp.Response r = http.postJson("/commands",
                                    TestWorker.encode(new Work("C" + client, i)));
                            assertThat(r.status()).isEqualTo(202);
                            assertThat(r.header("Connection")).isNull();
                            acked.add(r.json().get("commandId").asText());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(acked).hasSize(connections * perConnection);
        await().atMost(WAIT).until(() -> worker.handled.size() == connections * perConnection);
        assertThat(worker.handled).extracting(e -> e.commandId().toString()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(acked);
    }

    @Test
    void closeDrainsEveryAcknowledgedCommandThenClosesTheSockets() throws Exception {
        TestWorker worker = TestWorker.start(c -> c.workerThreads(1));
        CountDownLatch gate = worker.closeGate();
        RawHttp http = new RawHttp(worker.port());
        RawHttp watcher = new RawHttp(worker.port());
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RawHttp.Response r = http.postJson("/commands", TestWorker.encode(new Work("D", i)));
            assertThat(r.status()).isEqualTo(202);
            acked.add(r.json().get("commandId").asText());
        }
        assertThat(worker.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(worker.server::close);
        await().atMost(WAIT).until(() -> worker.server.httpServer().isDraining());

        RawHttp.Response ready = watcher.get("/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().get("reason").asText()).isEqualTo("draining");
        assertThat(ready.header("Connection")).isEqualTo("close");
        RawHttp.Response refused = http.postJson("/commands", TestWorker.encode(new Work("D", 99)));
        assertProblem(refused, 503, "draining");
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(closing).as("close waits for the acknowledged commands").isNotDone();
        assertThat(worker.handled).isEmpty();

        gate.countDown();
        closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(worker.handled).extracting(e -> e.commandId().toString()).containsExactlyElementsOf(acked);
        assertThat(worker.invocations).hasValue(5);
        assertThat(http.closedByPeerWithin(5_000)).isTrue();
        try (java.net.Socket s = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(worker.address(), 1000))
                    .isInstanceOf(java.io.IOException.class);
        }
        http.close();
        watcher.close();
    }

    @Test
    void aDrainTimeoutBoundsTheWaitAndCloseGoesOn() throws Exception {
        TestWorker worker = TestWorker.start("127.0.0.1", 0, c -> c.workerThreads(1).server(HttpServerConfig
                .builder().name("impatient").host("127.0.0.1").port(0).ioThreads(1)
                .drainTimeout(Duration.ofMillis(300)).build()), Clock.systemUTC());
        CountDownLatch gate = worker.closeGate();
        try (RawHttp http = new RawHttp(worker.port())) {
            assertThat(http.postJson("/commands", TestWorker.encode(new Work("T", 1))).status()).isEqualTo(202);
            assertThat(worker.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            long started = System.nanoTime();
            worker.server.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(tookMillis).as("close waited the drain timeout, not for the stuck handler")
                    .isBetween(250L, 10_000L);
            assertThat(worker.handled).isEmpty();
        } finally {
            gate.countDown();
        }
    }

    @Test
    void metricsCountMessagesRejectsAndQueueDepth() throws Exception {
        TestWorker worker = open(TestWorker.start());
        RawHttp http = open(new RawHttp(worker.port()));
        http.postJson("/commands", TestWorker.encode(new Work("M", 1)));
        http.postJson("/commands", "nope".getBytes(UTF_8));
        await().atMost(WAIT).until(() -> worker.handled.size() == 1);

        RawHttp.Response metrics = http.get("/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.text())
                .contains("trench_transport_messages_total{channel=\"test-worker\",direction=\"in\",kind=\"command\","
                        + "transport=\"http\"} 1.0")
                .contains("trench_transport_rejects_total{channel=\"test-worker\",direction=\"in\","
                        + "reason=\"malformed\",transport=\"http\"} 1.0")
                .contains("trench_transport_queue_depth{channel=\"test-worker\",transport=\"http\"}")
                .contains("trench_transport_ack_latency_seconds_count{channel=\"test-worker\",transport=\"http\"} 1")
                .contains("trench_transport_handled_total{channel=\"test-worker\",command=\"test.work\","
                        + "outcome=\"success\",transport=\"http\"} 1.0")
                .contains("route=\"/commands\"")
                .doesNotContain(worker.handled.peek().commandId().toString());
    }

    @Test
    void aSyncCommandNotRegisteredWithTheBusFailsTheBuild() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestWorker.start(c -> c.syncCommand("test.nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("syncCommands")
                .hasMessageContaining("test.nope");
    }
}
