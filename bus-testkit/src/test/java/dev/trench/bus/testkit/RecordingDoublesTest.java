package dev.trench.bus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.MessageId;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RecordingDoublesTest {
    private final ManualClock clock = new ManualClock();
    private final Supplier<MessageId> ids = MessageId.generator(clock);

    record Ship(String parcel) implements Command<Accepted> {
    }

    record Ping() implements Command<Void> {
    }

    static final CommandSpec<Ship> SHIP = CommandSpec.of(Ship.class, "parcels.ship")
            .handler((Ship c, dev.trench.bus.HandlerContext<Accepted> ctx) -> { })
            .capability(HandledAsynchronously.by("parcel-worker"))
            .build();

    static final CommandSpec<Ping> PING = CommandSpec.of(Ping.class, "test.ping")
            .handler((Ping c, dev.trench.bus.HandlerContext<Void> ctx) -> { })
            .build();

    private <C extends Command<?>> Envelope<C> envelope(C command) {
        MessageId id = ids.get();
        return Envelope.of(command, id, id, null, clock.millis());
    }

    private EventEnvelope<Object> event(Object payload) {
        MessageId id = ids.get();
        return new EventEnvelope<>(id, id, id, "parcels.ship", clock.instant(), Map.of(), payload);
    }

    @Test
    void theEventPublisherKeepsEventsInOrderUntilCleared() {
        RecordingEventPublisher publisher = new RecordingEventPublisher();
        EventEnvelope<Object> shipped = event("shipped");
        EventEnvelope<Object> delivered = event("delivered");

        CompletableFuture<Void> published = publisher.publish(shipped).toCompletableFuture();
        publisher.publish(delivered);

        assertThat(published).isCompleted();
        assertThat(publisher.events()).containsExactly(shipped, delivered);
        assertThat(publisher.payloads()).containsExactly("shipped", "delivered");
        assertThat(publisher).hasToString("RecordingEventPublisher[shipped, delivered]");
        publisher.clear();
        assertThat(publisher.events()).isEmpty();
        assertThat(publisher.payloads()).isEmpty();
    }

    @Test
    void theEventPublisherKeepsEveryEventPublishedFromManyThreads() throws Exception {
        RecordingEventPublisher publisher = new RecordingEventPublisher();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 250; i++) {
                        publisher.publish(event(thread + ":" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(publisher.payloads()).hasSize(1000).doesNotHaveDuplicates();
    }

    @Test
    void theSenderRecordsAndAcceptsAtOnceNamingTheDeclaredWorker() throws Exception {
        RecordingCommandSender sender = new RecordingCommandSender(clock);
        Envelope<Ship> ship = envelope(new Ship("p1"));
        Envelope<Ping> ping = envelope(new Ping());

        Accepted accepted = sender.send(SHIP, ship).toCompletableFuture().get();
        Accepted pinged = sender.send(PING, ping).toCompletableFuture().get();

        assertThat(accepted).isEqualTo(new Accepted(ship.commandId(), "parcel-worker", "recording", clock.instant()));
        assertThat(pinged.worker()).isEqualTo("recording");
        assertThat(sender.envelopes()).containsExactly(ship, ping);
        assertThat(sender.commands()).containsExactly(new Ship("p1"), new Ping());
        assertThat(sender.inFlight()).isZero();
        sender.clear();
        assertThat(sender.envelopes()).isEmpty();
    }

    @Test
    void heldAcknowledgementsCompleteOnlyWhenReleasedWithTheTimeOfRelease() throws Exception {
        RecordingCommandSender sender = new RecordingCommandSender(clock).holdAcks();
        Envelope<Ship> first = envelope(new Ship("p1"));
        Envelope<Ship> second = envelope(new Ship("p2"));

        CompletableFuture<Accepted> a = sender.send(SHIP, first).toCompletableFuture();
        CompletableFuture<Accepted> b = sender.send(SHIP, second).toCompletableFuture();

        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        assertThat(sender.inFlight()).isEqualTo(2);
        assertThat(sender.envelopes()).containsExactly(first, second);

        clock.advance(Duration.ofMillis(40));
        assertThat(sender.releaseHeld()).isEqualTo(2);

        assertThat(a.get().acceptedAt()).isEqualTo(clock.instant());
        assertThat(b.get().commandId()).isEqualTo(second.commandId());
        assertThat(sender.inFlight()).isZero();
    }

    @Test
    void sendsFailWhenToldToAndHeldOnesCanBeFailedOrFailOnClose() {
        RecordingCommandSender sender = new RecordingCommandSender(clock);
        OverloadedException full = new OverloadedException("worker queue full");

        sender.failWith(full);
        CompletableFuture<Accepted> refused = sender.send(SHIP, envelope(new Ship("p1"))).toCompletableFuture();
        assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class).cause().isSameAs(full);
        assertThat(sender.envelopes()).hasSize(1);

        sender.holdAcks();
        CompletableFuture<Accepted> held = sender.send(SHIP, envelope(new Ship("p2"))).toCompletableFuture();
        IllegalStateException unreachable = new IllegalStateException("worker unreachable");
        assertThat(sender.failHeld(unreachable)).isEqualTo(1);
        assertThatThrownBy(held::get).cause().isSameAs(unreachable);

        CompletableFuture<Accepted> pendingAtClose = sender.send(SHIP, envelope(new Ship("p3"))).toCompletableFuture();
        sender.close();
        assertThatThrownBy(pendingAtClose::get).cause()
                .hasMessage("RecordingCommandSender closed before the worker acknowledged");
        assertThatThrownBy(() -> sender.send(SHIP, envelope(new Ship("p4"))).toCompletableFuture().get()).cause()
                .hasMessage("RecordingCommandSender is closed");

        RecordingCommandSender recovering = new RecordingCommandSender(clock).failWith(full).acceptAll();
        assertThat(recovering.send(SHIP, envelope(new Ship("p5"))).toCompletableFuture()).isCompleted();
    }
}
