package dev.trench.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.Envelope;
import dev.trench.bus.OverloadedException;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.http.TestWorker.Work;
import dev.trench.transport.http.internal.Rendezvous;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against real workers on loopback: failover, no resend after an ack, routing, membership. */
class HttpCommandSenderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

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

    private HttpCommandSender sender(List<String> endpoints, Consumer<HttpCommandSenderConfig.Builder> customise) {
        HttpCommandSenderConfig.Builder config = HttpCommandSenderConfig.builder("test-worker").endpoints(endpoints)
                .ioThreads(1).requestTimeout(Duration.ofSeconds(5))
                .routingKey(Work.class, Work::key);
        customise.accept(config);
        return open(HttpCommandSender.builder(config.build(), TestWorker.CODEC).meterRegistry(registry).build());
    }

    private static Accepted send(HttpCommandSender sender, Envelope<Work> envelope) throws Exception {
        return sender.send(TestWorker.WORK_SPEC, envelope).toCompletableFuture().get(WAIT.toSeconds(),
                TimeUnit.SECONDS);
    }

    private static Throwable failure(HttpCommandSender sender, Envelope<Work> envelope) throws Exception {
        CompletableFuture<Accepted> f = sender.send(TestWorker.WORK_SPEC, envelope).toCompletableFuture();
        try {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the send to fail, it was accepted: " + f.join());
    }

    /** A loopback port nothing listens on: connecting to it is refused. */
    private static String deadEndpoint() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** A routing key that rendezvous hashing sends to {@code target} first among {@code endpoints}. */
    private static String keyFor(String target, List<String> endpoints) {
        for (int i = 0; ; i++) {
            String key = "K" + i;
            if (target.equals(Rendezvous.pick(key, endpoints, Rendezvous::hash))) {
                return key;
            }
        }
    }

    private double retries(String cause) {
        Counter c = registry.find(HttpMeters.RETRIES).tag(HttpMeters.TAG_CAUSE, cause).counter();
        return c == null ? 0 : c.count();
    }

    private double totalRetries() {
        return registry.find(HttpMeters.RETRIES).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void aSentCommandIsAcceptedByTheWorkerThatHandlesIt() throws Exception {
        TestWorker worker = open(TestWorker.start());
        HttpCommandSender sender = sender(List.of(worker.endpoint()), c -> { });
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 1)).withHeader("traceparent", "00-abc-def-01");

        Accepted accepted = send(sender, sent);

        assertThat(accepted.commandId()).isEqualTo(sent.commandId());
        assertThat(accepted.worker()).isEqualTo("test-worker");
        assertThat(accepted.endpoint()).isEqualTo(worker.endpoint());
        Envelope<?> handled = worker.handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(handled).isNotNull();
        assertThat(handled.commandId()).isEqualTo(sent.commandId());
        assertThat(handled.header("traceparent")).isEqualTo("00-abc-def-01");
        assertThat(sender.inFlight()).isZero();
        assertThat(registry.get(TransportMeters.MESSAGES).tag(TransportMeters.TAG_DIRECTION, "out").counter()
                .count()).isEqualTo(1.0);
        assertThat(registry.get(TransportMeters.ACK_LATENCY).timer().count()).isEqualTo(1);
        assertThat(totalRetries()).isZero();
    }

    @Test
    void failsOverToAnotherWorkerWhenTheFirstRefusesAndSkipsTheDeadOneAfterwards() throws Exception {
        TestWorker live = open(TestWorker.start());
        String dead = deadEndpoint();
        List<String> endpoints = List.of(dead, live.endpoint());
        HttpCommandSender sender = sender(endpoints, c -> c.deadEndpointCooldown(Duration.ofMinutes(1)));
        String key = keyFor(dead, endpoints);

        Envelope<Work> first = TestWorker.envelope(new Work(key, 0));
        Accepted accepted = send(sender, first);

        assertThat(accepted.endpoint()).isEqualTo(live.endpoint());
        assertThat(accepted.commandId()).isEqualTo(first.commandId());
        assertThat(retries("refused")).isEqualTo(1.0);
        for (int i = 1; i <= 10; i++) {
            assertThat(send(sender, TestWorker.envelope(new Work(key, i))).endpoint()).isEqualTo(live.endpoint());
        }
        assertThat(totalRetries()).as("the dead endpoint was skipped without another attempt").isEqualTo(1.0);
        await().atMost(WAIT).until(() -> live.handled.size() == 11);
        assertThat(live.handled.peek().commandId()).as("the retry carried the same command id")
                .isEqualTo(first.commandId());
    }

    @Test
    void failsOverWhenTheFirstWorkerAnswers503() throws Exception {
        TestWorker full = open(TestWorker.start(c -> c.queueCapacity(1).workerThreads(1)));
        TestWorker spare = open(TestWorker.start());
        CountDownLatch gate = full.closeGate();
        try (RawHttp http = new RawHttp(full.port())) {
            assertThat(http.postJson("/commands", TestWorker.encode(new Work("fill", 1))).status()).isEqualTo(202);
            assertThat(full.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(http.postJson("/commands", TestWorker.encode(new Work("fill", 2))).status()).isEqualTo(202);
        }
        List<String> endpoints = List.of(full.endpoint(), spare.endpoint());
        HttpCommandSender sender = sender(endpoints, c -> { });
        Envelope<Work> sent = TestWorker.envelope(new Work(keyFor(full.endpoint(), endpoints), 1));

        Accepted accepted = send(sender, sent);

        assertThat(accepted.endpoint()).isEqualTo(spare.endpoint());
        assertThat(retries("overloaded")).isEqualTo(1.0);
        Envelope<?> handled = spare.handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(handled.commandId()).isEqualTo(sent.commandId());
        gate.countDown();
        await().atMost(WAIT).until(() -> full.handled.size() == 2);
        assertThat(full.handledKeys()).containsOnly("fill");
    }

    @Test
    void failsOverWhenTheFirstWorkerDoesNotAnswerInTime() throws Exception {
        List<HttpExchange> unanswered = new CopyOnWriteArrayList<>();
        HttpServer silent = open(HttpServer.builder(HttpServerConfig.builder().name("silent").host("127.0.0.1")
                .port(0).ioThreads(1).drainTimeout(Duration.ofMillis(200)).build())
                .route("POST", "/commands", unanswered::add).build().start());
        TestWorker live = open(TestWorker.start());
        String silentEndpoint = "127.0.0.1:" + silent.port();
        List<String> endpoints = List.of(silentEndpoint, live.endpoint());
        HttpCommandSender sender = sender(endpoints, c -> c.requestTimeout(Duration.ofMillis(300)));

        long started = System.nanoTime();
        Accepted accepted = send(sender, TestWorker.envelope(new Work(keyFor(silentEndpoint, endpoints), 1)));

        assertThat(accepted.endpoint()).isEqualTo(live.endpoint());
        assertThat(unanswered).hasSize(1);
        assertThat(retries("timeout")).isEqualTo(1.0);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
    }

    @Test
    void whenEveryEndpointIsFullTheSendFailsWithOverloaded() throws Exception {
        TestWorker full = open(TestWorker.start(c -> c.queueCapacity(1).workerThreads(1)));
        full.closeGate();
        try (RawHttp http = new RawHttp(full.port())) {
            http.postJson("/commands", TestWorker.encode(new Work("fill", 1)));
            assertThat(full.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            http.postJson("/commands", TestWorker.encode(new Work("fill", 2)));
        }
        HttpCommandSender sender = sender(List.of(full.endpoint()), c -> c.maxAttempts(3));

        Throwable error = failure(sender, TestWorker.envelope(new Work("A1", 1)));

        assertThat(error).isInstanceOf(OverloadedException.class)
                .hasMessageContaining("worker 'test-worker' did not accept command")
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining(full.endpoint() + " overloaded");
        assertThat(retries("overloaded")).isEqualTo(2.0);
        assertThat(registry.get(TransportMeters.REJECTS).tag(TransportMeters.TAG_REASON, "overloaded").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void whenNoEndpointAnswersTheSendFailsNamingEveryAttempt() throws Exception {
        String dead1 = deadEndpoint();
        String dead2 = deadEndpoint();
        HttpCommandSender sender = sender(List.of(dead1, dead2), c -> c.maxAttempts(2));
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 1));

        Throwable error = failure(sender, sent);

        assertThat(error).isInstanceOf(HttpSendException.class)
                .hasMessageContaining("no endpoint of worker 'test-worker' accepted command " + sent.commandId())
                .hasMessageContaining(dead1 + " refused")
                .hasMessageContaining(dead2 + " refused");
        assertThat(((HttpSendException) error).status()).isZero();
        assertThat(sender.inFlight()).isZero();
    }

    @Test
    void aRefusalAfterTheWorkerAnsweredIsNeverRetried() throws Exception {
        TestWorker worker = open(TestWorker.start(c -> c.syncCommand(TestWorker.WORK)));
        TestWorker other = open(TestWorker.start(c -> c.syncCommand(TestWorker.WORK)));
        worker.failure.set(new CommandRejectedException("bid-too-low", "too low"));
        other.failure.set(new CommandRejectedException("bid-too-low", "too low"));
        HttpCommandSender sender = sender(List.of(worker.endpoint(), other.endpoint()), c -> c.maxAttempts(3));

        Throwable rejected = failure(sender, TestWorker.envelope(new Work("A1", 1)));

        assertThat(rejected).isInstanceOf(CommandRejectedException.class).hasMessage("too low");
        assertThat(((CommandRejectedException) rejected).reason()).isEqualTo("bid-too-low");
        assertThat(worker.invocations.get() + other.invocations.get()).isEqualTo(1);
        assertThat(totalRetries()).isZero();
    }

    @Test
    void aCommandTheWorkerDoesNotKnowIsA400NotRetried() throws Exception {
        TestWorker worker = open(TestWorker.start());
        HttpCommandSender sender = sender(List.of(worker.endpoint()), c -> c.maxAttempts(3));
        Envelope<TestWorker.Other> other = Envelope.builder(new TestWorker.Other("x"))
                .commandId(TestWorker.envelope(new Work("k", 0)).commandId()).createdAt(Instant.now()).build();

        CompletableFuture<Accepted> f = sender.send(TestWorker.OTHER_SPEC, other).toCompletableFuture();

        Throwable error = f.handle((a, e) -> e).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(error).isInstanceOf(HttpSendException.class);
        HttpSendException h = (HttpSendException) error;
        assertThat(h.status()).isEqualTo(400);
        assertThat(h.endpoint()).isEqualTo(worker.endpoint());
        assertThat(h.problem().slug()).isEqualTo("unknown-type");
        assertThat(totalRetries()).isZero();
    }

    @Test
    void aResentEnvelopeIsAcceptedAgainButHandledOnce() throws Exception {
        TestWorker worker = open(TestWorker.start());
        HttpCommandSender sender = sender(List.of(worker.endpoint()), c -> { });
        Envelope<Work> sent = TestWorker.envelope(new Work("A1", 1));

        Accepted first = send(sender, sent);
        Accepted again = send(sender, sent);
        Envelope<Work> marker = TestWorker.envelope(new Work("A1", 2));
        send(sender, marker);

        assertThat(again.commandId()).isEqualTo(first.commandId());
        await().atMost(WAIT).until(() -> worker.handled.size() == 2);
        assertThat(worker.handled).extracting(Envelope::commandId)
                .containsExactlyInAnyOrder(sent.commandId(), marker.commandId());
        assertThat(worker.invocations).hasValue(2);
    }

    @Test
    void commandsWithoutAKeyAreSpreadOverTheEndpoints() throws Exception {
        TestWorker a = open(TestWorker.start());
        TestWorker b = open(TestWorker.start());
        TestWorker c = open(TestWorker.start());
        HttpCommandSender sender = open(HttpCommandSender.builder(HttpCommandSenderConfig.builder("test-worker")
                .endpoints(List.of(a.endpoint(), b.endpoint(), c.endpoint())).ioThreads(1).build(),
                TestWorker.CODEC).build());
        List<CompletableFuture<Accepted>> acks = new ArrayList<>();

        for (int i = 0; i < 150; i++) {
            acks.add(sender.send(TestWorker.WORK_SPEC, TestWorker.envelope(new Work("same", i))).toCompletableFuture());
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> a.handled.size() + b.handled.size() + c.handled.size() == 150);
        assertThat(List.of(a.handled.size(), b.handled.size(), c.handled.size()))
                .as("each endpoint took a share").allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(15));
    }

    @Test
    void routingKeysStayOnTheirEndpointAndOnlyTheKeysOfALeavingOrJoiningEndpointMove() throws Exception {
        TestWorker w1 = open(TestWorker.start("127.0.0.1", 0, c -> { }, java.time.Clock.systemUTC()));
        int port = w1.port();
        TestWorker w2 = open(TestWorker.start("127.0.0.2", port, c -> { }, java.time.Clock.systemUTC()));
        TestWorker w3 = open(TestWorker.start("127.0.0.3", port, c -> { }, java.time.Clock.systemUTC()));
        List<InetAddress> dns = new CopyOnWriteArrayList<>(List.of(InetAddress.getByName("127.0.0.1"),
                InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3")));
        HttpCommandSender sender = open(HttpCommandSender.builder(HttpCommandSenderConfig.builder("test-worker")
                .dns("workers.test", port).dnsRefreshInterval(Duration.ofHours(1)).ioThreads(1)
                .routingKey(Work.class, Work::key).build(), TestWorker.CODEC)
                .meterRegistry(registry)
                .resolver(host -> {
                    assertThat(host).isEqualTo("workers.test");
                    return List.copyOf(dns);
                })
                .build());
        assertThat(sender.endpoints()).containsExactly("127.0.0.1:" + port, "127.0.0.2:" + port,
                "127.0.0.3:" + port);

        Map<String, String> owners = route(sender, 90);
        assertThat(route(sender, 90)).as("the same keys go to the same endpoints").isEqualTo(owners);
        assertThat(new java.util.HashSet<>(owners.values())).hasSize(3);

        // every acknowledged command is handled after its 202: wait for them before counting what w3 got
        await().atMost(WAIT).until(() -> w1.handled.size() + w2.handled.size() + w3.handled.size() == 180);

        // an endpoint leaves: only its keys move
        dns.remove(InetAddress.getByName("127.0.0.3"));
        sender.refreshEndpoints();
        int w3Handled = w3.handled.size();
        Map<String, String> afterLeave = route(sender, 90);
        int moved = 0;
        for (String key : owners.keySet()) {
            if (owners.get(key).equals("127.0.0.3:" + port)) {
                moved++;
                assertThat(afterLeave.get(key)).isNotEqualTo(owners.get(key));
            } else {
                assertThat(afterLeave.get(key)).as("key %s stays", key).isEqualTo(owners.get(key));
            }
        }
        assertThat(moved).isPositive();
        await().atMost(WAIT).until(() -> w1.handled.size() + w2.handled.size() + w3.handled.size() == 270);
        assertThat(w3.handled).as("the endpoint that left gets nothing more").hasSize(w3Handled);

        // an endpoint joins: only the keys it now wins move, all of them to it
        TestWorker w4 = open(TestWorker.start("127.0.0.4", port, c -> { }, java.time.Clock.systemUTC()));
        dns.add(InetAddress.getByName("127.0.0.4"));
        sender.refreshEndpoints();
        Map<String, String> afterJoin = route(sender, 90);
        int joinedKeys = 0;
        for (String key : afterLeave.keySet()) {
            if (!afterJoin.get(key).equals(afterLeave.get(key))) {
                joinedKeys++;
                assertThat(afterJoin.get(key)).isEqualTo("127.0.0.4:" + port);
            }
        }
        assertThat(joinedKeys).isPositive().isLessThan(90);
        assertThat(w4.handled).isNotEmpty();
        assertThat(registry.get(HttpMeters.ENDPOINT_CHANGES).tag(HttpMeters.TAG_CHANGE, "joined").counter()
                .count()).isEqualTo(4.0);
        assertThat(registry.get(HttpMeters.ENDPOINT_CHANGES).tag(HttpMeters.TAG_CHANGE, "left").counter()
                .count()).isEqualTo(1.0);
        assertThat(registry.get(TransportMeters.ENDPOINTS).gauge().value()).isEqualTo(3.0);
    }

    private static Map<String, String> route(HttpCommandSender sender, int keys) throws Exception {
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "auction-" + i;
            owners.put(key, send(sender, TestWorker.envelope(new Work(key, i))).endpoint());
        }
        return owners;
    }

    @Test
    void aFailedResolutionKeepsTheKnownEndpoints() throws Exception {
        TestWorker worker = open(TestWorker.start());
        boolean[] fail = {false};
        HttpCommandSender sender = open(HttpCommandSender.builder(HttpCommandSenderConfig.builder("test-worker")
                .dns("workers.test", worker.port()).ioThreads(1).build(), TestWorker.CODEC)
                .resolver(host -> {
                    if (fail[0]) {
                        throw new UnknownHostException(host);
                    }
                    return List.of(InetAddress.getByName("127.0.0.1"));
                })
                .build());

        fail[0] = true;
        sender.refreshEndpoints();

        assertThat(sender.endpoints()).containsExactly("127.0.0.1:" + worker.port());
        assertThat(send(sender, TestWorker.envelope(new Work("A1", 1))).endpoint())
                .isEqualTo("127.0.0.1:" + worker.port());
    }

    @Test
    void aCommandWhoseDeadlinePassedIsNotSent() throws Exception {
        TestWorker worker = open(TestWorker.start());
        HttpCommandSender sender = sender(List.of(worker.endpoint()), c -> { });
        Envelope<Work> late = TestWorker.envelope(new Work("A1", 1)).withDeadline(Instant.now().minusSeconds(1));

        Throwable error = failure(sender, late);

        assertThat(error).isInstanceOf(HttpSendException.class).hasMessageContaining("deadline");
        assertThat(worker.invocations).hasValue(0);
        assertThat(registry.get(TransportMeters.BYTES).counter().count()).isZero();
    }

    @Test
    void closingFailsTheSendsNotYetAcknowledged() throws Exception {
        List<HttpExchange> unanswered = new CopyOnWriteArrayList<>();
        HttpServer silent = open(HttpServer.builder(HttpServerConfig.builder().name("silent").host("127.0.0.1")
                .port(0).ioThreads(1).drainTimeout(Duration.ofMillis(200)).build())
                .route("POST", "/commands", unanswered::add).build().start());
        HttpCommandSender sender = sender(List.of("127.0.0.1:" + silent.port()), c -> { });
        CompletableFuture<Accepted> pending = sender.send(TestWorker.WORK_SPEC,
                TestWorker.envelope(new Work("A1", 1))).toCompletableFuture();
        await().atMost(WAIT).until(() -> unanswered.size() == 1);

        sender.close();

        assertThat(pending).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(HttpSendException.class)
                .withMessageContaining("closed before");
        assertThat(pending).isCompletedExceptionally();
        assertThat(sender.inFlight()).isZero();
    }
}
