package dev.trench.transport.zmq;

import static dev.trench.transport.zmq.ZmqTestSupport.TIMEOUT;
import static dev.trench.transport.zmq.ZmqTestSupport.bindAnyPort;
import static dev.trench.transport.zmq.ZmqTestSupport.tick;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.zmq.ZmqTestSupport.RawPush;
import dev.trench.transport.zmq.ZmqTestSupport.Tick;
import dev.trench.transport.zmq.internal.Frames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a subscriber does with frames it cannot read, and what a publisher refuses. */
class ZmqEventSubscriberTest {
    private final WireCodec codec = ZmqTestSupport.eventCodec();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double rejects(String reason) {
        var counter = registry.find(TransportMeters.REJECTS).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void malformedFramesAreCountedAndSkippedAndTheNextValidEventIsDelivered() throws Exception {
        BlockingQueue<EventEnvelope<?>> received = new LinkedBlockingQueue<>();
        UUID publisher = UUID.randomUUID();
        byte[] type = Frames.type(ZmqTestSupport.TICK);
        byte[] valid = codec.encodeEvent(tick("valid", 7));
        byte[] tooLarge = new byte[100 * 1024];
        java.util.Arrays.fill(tooLarge, (byte) 'x');
        try (ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(bindAnyPort("ws"), codec, received::add,
                registry);
                RawPush raw = new RawPush(subscriber.endpoint())) {
            raw.send("just one frame".getBytes(UTF_8));
            raw.send(type, "not a stream frame".getBytes(UTF_8), valid);
            raw.send(type, Frames.stream(publisher, 1), valid, "a fourth frame".getBytes(UTF_8));
            raw.send(type, Frames.stream(publisher, 2), "{not json".getBytes(UTF_8));
            raw.send(Frames.type("test.unknown"), Frames.stream(publisher, 3),
                    "{\"type\":\"test.unknown\",\"payload\":{}}".getBytes(UTF_8));
            raw.send(type, Frames.stream(publisher, 4), tooLarge);
            raw.send(Frames.type("test.other"), Frames.stream(publisher, 5), valid);
            raw.send(type, Frames.stream(publisher, 6), valid);

            EventEnvelope<?> event = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(event).isNotNull();
            assertThat(event.event()).isEqualTo(new Tick("valid", 7));
            assertThat(received).isEmpty();
            assertThat(rejects("bad-frame")).isEqualTo(3);
            assertThat(rejects("malformed")).isEqualTo(1);
            assertThat(rejects("unknown-type")).as("unknown type, and a type frame not matching the body")
                    .isEqualTo(2);
            assertThat(rejects("too-large")).isEqualTo(1);
            assertThat(subscriber.missedEvents()).as("the unreadable ones arrived: no gap").isZero();
            assertThat(subscriber.receivedEvents()).isEqualTo(1);
            assertThat(registry.get(TransportMeters.MESSAGES).tag("direction", "in").tag("kind", "event")
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get(TransportMeters.BYTES).tag("direction", "in").counter().count())
                    .isEqualTo(valid.length);
        }
    }

    @Test
    void aGapInAPublishersSequenceIsCountedAndTheEventStillDelivered() throws Exception {
        BlockingQueue<EventEnvelope<?>> received = new LinkedBlockingQueue<>();
        UUID publisher = UUID.randomUUID();
        byte[] type = Frames.type(ZmqTestSupport.TICK);
        try (ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(bindAnyPort("ws"), codec, received::add,
                registry);
                RawPush raw = new RawPush(subscriber.endpoint())) {
            raw.send(type, Frames.stream(publisher, 5), codec.encodeEvent(tick("a", 1)));
            raw.send(type, Frames.stream(publisher, 9), codec.encodeEvent(tick("b", 2)));
            raw.send(type, Frames.stream(publisher, 9), codec.encodeEvent(tick("duplicate", 3)));
            raw.send(Frames.HEARTBEAT_TYPE, Frames.stream(publisher, 12), Frames.EMPTY);
            raw.send(type, Frames.stream(publisher, 13), codec.encodeEvent(tick("c", 4)));

            assertThat(ZmqTestSupport.take(received, "c", 1)).containsExactly(4);

            assertThat(subscriber.missedEvents()).as("6, 7, 8 before seq 9; 10, 11, 12 per the heartbeat")
                    .isEqualTo(6);
            assertThat(registry.get(TransportMeters.MISSED).counter().count()).isEqualTo(6);
            assertThat(rejects("out-of-order")).isEqualTo(1);
            assertThat(subscriber.receivedEvents()).isEqualTo(3);
        }
    }

    @Test
    void aConsumerThatThrowsDoesNotStopTheNextEvent() throws Exception {
        BlockingQueue<EventEnvelope<?>> received = new LinkedBlockingQueue<>();
        try (ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(bindAnyPort("ws"), codec, e -> {
            if (((Tick) e.event()).phase().equals("boom")) {
                throw new IllegalStateException("consumer failure");
            }
            received.add(e);
        }, registry);
                ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("events",
                        ZmqTarget.endpoints(subscriber.endpoint())).build(), codec, null)) {
            publisher.publish(tick("boom", 1));
            publisher.publish(tick("fine", 2));

            assertThat(ZmqTestSupport.take(received, "fine", 1)).containsExactly(2);
            assertThat(rejects("handler-failed")).isEqualTo(1);
        }
    }

    @Test
    void publishingAnUnregisteredEventFailsAtOnceNamingTheClass() {
        try (ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("events",
                ZmqTarget.endpoints("tcp://127.0.0.1:1")).build(), codec, registry)) {
            EventEnvelope<String> event = new EventEnvelope<>(ZmqTestSupport.IDS.get(), ZmqTestSupport.IDS.get(),
                    ZmqTestSupport.IDS.get(), "x", java.time.Instant.now(), Map.of(), "not registered");

            CompletableFuture<Void> stage = publisher.publish(event).toCompletableFuture();

            assertThat(stage).isCompletedExceptionally();
            assertThatThrownBy(stage::join).hasCauseInstanceOf(WireFormatException.class)
                    .hasMessageContaining("java.lang.String");
            assertThat(rejects("unknown-type")).isEqualTo(1);
        }
    }

    @Test
    void publishingWhenTheQueueIsFullFailsWithAnOverload() {
        try (ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("events",
                ZmqTarget.endpoints("tcp://127.0.0.1:1")).queueCapacity(1).build(), codec, registry)) {
            int overloaded = 0;
            for (int i = 0; i < 200_000 && overloaded == 0; i++) {
                CompletableFuture<Void> stage = publisher.publish(tick("flood", i)).toCompletableFuture();
                if (stage.isCompletedExceptionally()) {
                    assertThatThrownBy(stage::join).hasCauseInstanceOf(OverloadedException.class)
                            .hasMessageContaining("queue full (1 events waiting)");
                    overloaded++;
                }
            }

            assertThat(overloaded).as("a publish found the queue of 1 full").isEqualTo(1);
            assertThat(rejects("overloaded")).isEqualTo(1);
        }
    }

    @Test
    void publishingAfterCloseFails() {
        ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("events",
                ZmqTarget.endpoints("tcp://127.0.0.1:1")).build(), codec, registry);
        publisher.close();

        CompletableFuture<Void> stage = publisher.publish(tick("late", 1)).toCompletableFuture();

        assertThatThrownBy(stage::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event publisher 'events' is closed");
        await().atMost(TIMEOUT).until(() -> rejects("closed") == 1);
    }
}
