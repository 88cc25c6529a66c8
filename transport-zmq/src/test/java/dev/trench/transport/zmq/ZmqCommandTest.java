package dev.trench.transport.zmq;

import static dev.trench.transport.zmq.ZmqTestSupport.TIMEOUT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireCodec;
import dev.trench.transport.zmq.ZmqTestSupport.RawPush;
import dev.trench.transport.zmq.internal.Frames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Commands over ZeroMQ: sender, receiver and a real bus on each worker. */
class ZmqCommandTest {

    /** A bid, as the auction example sends it. */
    record RaiseBid(String auctionId, String userId, BigDecimal amount) implements Command<Void> {
        RaiseBid {
            InvalidCommandException.requireText("auctionId", auctionId);
            InvalidCommandException.requirePositiveAmount("amount", amount, 2);
        }
    }

    /** Handled commands, tagged with the worker that handled them. */
    record Handled(String worker, Envelope<?> envelope) {
    }

    private final BlockingQueue<Handled> handled = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> open = new ArrayList<>();

    private CommandSpec<RaiseBid> spec(String worker) {
        return CommandSpec.of(RaiseBid.class, "auction.raise-bid")
                .handler((RaiseBid bid, HandlerContext<Void> ctx) -> handled.add(new Handled(worker, ctx.envelope())))
                .build();
    }

    private final WireCodec codec = WireCodec.of(TypeRegistry.builder().registerCommand(spec("any")).build());

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private ZmqCommandReceiver worker(String name) {
        CommandBus bus = CommandBus.builder().name(name).register(spec(name)).build();
        return opened(ZmqCommandReceiver.start(ZmqBindConfig.builder(name, "tcp://127.0.0.1:*").build(), codec, bus,
                registry));
    }

    private static Envelope<RaiseBid> bid(String auction, String amount) {
        MessageId id = ZmqTestSupport.IDS.get();
        return Envelope.builder(new RaiseBid(auction, "alice", new BigDecimal(amount))).commandId(id)
                .correlationId(id).createdAt(Instant.now()).headers(Map.of("traceparent", "00-t")).build();
    }

    private Handled nextHandled() throws InterruptedException {
        Handled h = handled.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(h).as("a command handled within %s", TIMEOUT).isNotNull();
        return h;
    }

    @Test
    void aCommandTravelsFromSenderToTheWorkersBusWithItsMetadata() throws Exception {
        ZmqCommandReceiver worker = worker("auction-worker");
        ZmqCommandSender sender = opened(ZmqCommandSender.start(ZmqConnectConfig.builder("auction-worker",
                ZmqTarget.endpoints(worker.endpoint())).build(), codec, registry));
        Envelope<RaiseBid> sent = bid("A1", "12.50");

        Accepted accepted = sender.send(spec("any"), sent).toCompletableFuture().get(TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        Handled h = nextHandled();

        assertThat(accepted.commandId()).isEqualTo(sent.commandId());
        assertThat(accepted.worker()).isEqualTo("auction-worker");
        assertThat(accepted.endpoint()).isEqualTo(worker.endpoint());
        assertThat(h.envelope().command()).isEqualTo(sent.command());
        assertThat(h.envelope().commandId()).isEqualTo(sent.commandId());
        assertThat(h.envelope().headers()).isEqualTo(sent.headers());
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(registry.get(TransportMeters.MESSAGES).tag("direction", "out").tag("kind", "command")
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get(TransportMeters.MESSAGES).tag("direction", "in").tag("kind", "command")
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get(TransportMeters.ACK_LATENCY).timer().count()).isEqualTo(1);
        });
    }

    @Test
    void commandsAreSpreadOverTheWorkersEachHandledOnce() throws Exception {
        ZmqCommandReceiver w1 = worker("worker-1");
        ZmqCommandReceiver w2 = worker("worker-2");
        ZmqCommandSender sender = opened(ZmqCommandSender.start(ZmqConnectConfig.builder("auction-worker",
                ZmqTarget.endpoints(w1.endpoint(), w2.endpoint())).build(), codec, null));
        // until both workers demonstrably receive, then 400 more
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<MessageId> sentIds = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (seen.size() < 2) {
            assertThat(System.nanoTime()).as("both workers received a command").isLessThan(deadline);
            Envelope<RaiseBid> e = bid("A1", "1");
            sentIds.add(e.commandId());
            sender.send(spec("any"), e).toCompletableFuture().join();
            Handled h = handled.poll(20, TimeUnit.MILLISECONDS);
            while (h != null) {
                seen.add(h.worker());
                sentIds.remove(h.envelope().commandId());
                h = handled.poll();
            }
        }
        for (int i = 0; i < 400; i++) {
            Envelope<RaiseBid> e = bid("A" + i, "1");
            sentIds.add(e.commandId());
            sender.send(spec("any"), e).toCompletableFuture().join();
        }

        List<Handled> later = new ArrayList<>();
        while (later.size() < sentIds.size()) {
            later.add(nextHandled());
        }

        assertThat(later.stream().map(h -> h.envelope().commandId()).toList())
                .containsExactlyInAnyOrderElementsOf(sentIds);
        assertThat(later.stream().map(Handled::worker).distinct()).containsExactlyInAnyOrder("worker-1", "worker-2");
        assertThat(handled.poll(100, TimeUnit.MILLISECONDS)).as("nothing handled twice").isNull();
    }

    @Test
    void framesOfTheWrongShapeAreSkippedAndTheNextCommandIsHandled() throws Exception {
        ZmqCommandReceiver worker = worker("auction-worker");
        Envelope<RaiseBid> valid = bid("A1", "5");
        try (RawPush raw = new RawPush(worker.endpoint())) {
            raw.send(codec.encodeCommand(valid)); // one frame: no type frame
            raw.send(Frames.type("auction.raise-bid"), codec.encodeCommand(valid), "extra".getBytes(UTF_8));
            raw.send(Frames.type("auction.other"), codec.encodeCommand(valid));
            raw.send(Frames.type("auction.raise-bid"), codec.encodeCommand(valid));
        }

        Handled h = nextHandled();

        assertThat(h.envelope().commandId()).isEqualTo(valid.commandId());
        assertThat(handled.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(registry.get(TransportMeters.REJECTS).tag("reason", "bad-frame").counter().count()).isEqualTo(2);
        assertThat(registry.get(TransportMeters.REJECTS).tag("reason", "unknown-type").counter().count())
                .isEqualTo(1);
    }

    @Test
    void withNoEndpointBehindTheNameSendingFailsNamingTheTarget() {
        ZmqTarget nobody = ZmqTarget.dns("worker.test", 5557).withResolver((host, port) -> List.of());
        ZmqCommandSender sender = opened(ZmqCommandSender.start(ZmqConnectConfig.builder("auction-worker", nobody)
                .build(), codec, registry));

        CompletableFuture<Accepted> stage = sender.send(spec("any"), bid("A1", "1")).toCompletableFuture();

        assertThatThrownBy(() -> stage.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("no endpoint is known for dns:"
                        + "worker.test:5557");
        assertThat(registry.get(TransportMeters.REJECTS).tag("reason", "no-endpoint").counter().count()).isEqualTo(1);
    }

    @Test
    void whenTheNameMovesToAnotherWorkerLaterCommandsGoThere() throws Exception {
        ZmqCommandReceiver w1 = worker("worker-1");
        ZmqCommandReceiver w2 = worker("worker-2");
        AtomicReference<List<InetSocketAddress>> dns = new AtomicReference<>(List.of(address(w1)));
        ZmqTarget target = ZmqTarget.dns("worker.test", 5557).withResolveInterval(Duration.ofMillis(50))
                .withResolver((host, port) -> dns.get());
        ZmqCommandSender sender = opened(ZmqCommandSender.start(ZmqConnectConfig.builder("auction-worker", target)
                .build(), codec, null));
        sender.send(spec("any"), bid("A1", "1")).toCompletableFuture().join();
        assertThat(nextHandled().worker()).isEqualTo("worker-1");

        dns.set(List.of(address(w2)));
        await().atMost(TIMEOUT).until(() -> sender.endpoints().equals(java.util.Set.of(w2.endpoint())));
        for (int i = 0; i < 100; i++) {
            sender.send(spec("any"), bid("A" + i, "1")).toCompletableFuture().join();
        }

        for (int i = 0; i < 100; i++) {
            assertThat(nextHandled().worker()).isEqualTo("worker-2");
        }
    }

    private static InetSocketAddress address(ZmqCommandReceiver r) {
        URI uri = URI.create(r.endpoint());
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }
}
