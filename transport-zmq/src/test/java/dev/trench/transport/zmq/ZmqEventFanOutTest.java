package dev.trench.transport.zmq;

import static dev.trench.transport.zmq.ZmqTestSupport.TIMEOUT;
import static dev.trench.transport.zmq.ZmqTestSupport.awaitAllReceiving;
import static dev.trench.transport.zmq.ZmqTestSupport.bindAnyPort;
import static dev.trench.transport.zmq.ZmqTestSupport.range;
import static dev.trench.transport.zmq.ZmqTestSupport.take;
import static dev.trench.transport.zmq.ZmqTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every event reaches every subscriber, over real sockets on loopback, while subscribers come, go and restart. */
class ZmqEventFanOutTest {
    private static final int EVENTS = 1000;

    private final WireCodec codec = ZmqTestSupport.eventCodec();
    private final List<AutoCloseable> open = new ArrayList<>();

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

    private ZmqEventSubscriber subscriber(String name, String bind, BlockingQueue<EventEnvelope<?>> into) {
        return opened(ZmqEventSubscriber.start(ZmqBindConfig.builder(name, bind).build(), codec, into::add, null));
    }

    private static InetSocketAddress address(ZmqEventSubscriber s) {
        URI uri = URI.create(s.endpoint());
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private void publishCounted(ZmqEventPublisher publisher) {
        for (int i = 0; i < EVENTS; i++) {
            publisher.publish(tick("count", i)).toCompletableFuture().join();
        }
    }

    @Test
    void everyOneOfThreeSubscribersReceivesEveryEventInOrder() throws Exception {
        List<BlockingQueue<EventEnvelope<?>>> queues = List.of(new LinkedBlockingQueue<>(),
                new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>());
        List<ZmqEventSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subs.add(subscriber("ws-" + i, "tcp://127.0.0.1:*", queues.get(i)));
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ZmqEventPublisher publisher = opened(ZmqEventPublisher.start(ZmqConnectConfig.builder("auction-events",
                ZmqTarget.endpoints(subs.stream().map(ZmqEventSubscriber::endpoint).toList())).build(), codec,
                registry));
        awaitAllReceiving(publisher, queues.get(0), queues.get(1), queues.get(2));

        publishCounted(publisher);

        for (int i = 0; i < 3; i++) {
            assertThat(take(queues.get(i), "count", EVENTS)).as("subscriber %s", i).isEqualTo(range(EVENTS));
            assertThat(subs.get(i).missedEvents()).isZero();
        }
        assertThat(publisher.endpoints()).hasSize(3);
        assertThat(registry.get(TransportMeters.MESSAGES).tag("direction", "out").counter().count())
                .as("one message out per event per endpoint").isGreaterThanOrEqualTo(3.0 * EVENTS);
    }

    @Test
    void aRestartedSubscriberReceivesEveryEventPublishedAfterItIsBack() throws Exception {
        BlockingQueue<EventEnvelope<?>> a = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> b = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> c = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subA = subscriber("ws-a", "tcp://127.0.0.1:*", a);
        ZmqEventSubscriber subB = subscriber("ws-b", "tcp://127.0.0.1:*", b);
        ZmqEventSubscriber subC = subscriber("ws-c", "tcp://127.0.0.1:*", c);
        ZmqEventPublisher publisher = opened(ZmqEventPublisher.start(ZmqConnectConfig.builder("auction-events",
                ZmqTarget.endpoints(subA.endpoint(), subB.endpoint(), subC.endpoint())).build(), codec, null));
        awaitAllReceiving(publisher, a, b, c);

        String endpointB = subB.endpoint();
        subB.close();
        for (int i = 0; i < 50; i++) {
            publisher.publish(tick("while-down", i)).toCompletableFuture().join();
        }
        BlockingQueue<EventEnvelope<?>> b2 = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subB2 = subscriber("ws-b", endpointB, b2);
        assertThat(subB2.endpoint()).isEqualTo(endpointB);
        awaitAllReceiving(publisher, a, b2, c);

        publishCounted(publisher);

        assertThat(take(a, "count", EVENTS)).isEqualTo(range(EVENTS));
        assertThat(take(b2, "count", EVENTS)).as("the restarted subscriber").isEqualTo(range(EVENTS));
        assertThat(take(c, "count", EVENTS)).isEqualTo(range(EVENTS));
        assertThat(subA.missedEvents()).isZero();
        assertThat(subC.missedEvents()).isZero();
    }

    @Test
    void aSubscriberAppearingBehindTheNameReceivesEveryLaterEvent() throws Exception {
        BlockingQueue<EventEnvelope<?>> a = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> b = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> c = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subA = subscriber("ws-a", "tcp://127.0.0.1:*", a);
        ZmqEventSubscriber subB = subscriber("ws-b", "tcp://127.0.0.1:*", b);
        AtomicReference<List<InetSocketAddress>> dns = new AtomicReference<>(List.of(address(subA), address(subB)));
        ZmqTarget target = ZmqTarget.dns("websocket.test", 23499).withResolveInterval(Duration.ofMillis(50))
                .withResolver((host, port) -> dns.get());
        ZmqEventPublisher publisher = opened(ZmqEventPublisher.start(
                ZmqConnectConfig.builder("auction-events", target).build(), codec, null));
        assertThat(publisher.endpoints()).containsExactlyInAnyOrder(subA.endpoint(), subB.endpoint());
        awaitAllReceiving(publisher, a, b);

        ZmqEventSubscriber subC = subscriber("ws-c", "tcp://127.0.0.1:*", c);
        dns.set(List.of(address(subA), address(subB), address(subC)));
        await().atMost(TIMEOUT).until(() -> publisher.endpoints().contains(subC.endpoint()));
        awaitAllReceiving(publisher, a, b, c);

        publishCounted(publisher);

        assertThat(take(a, "count", EVENTS)).isEqualTo(range(EVENTS));
        assertThat(take(b, "count", EVENTS)).isEqualTo(range(EVENTS));
        assertThat(take(c, "count", EVENTS)).as("the new subscriber").isEqualTo(range(EVENTS));
    }

    @Test
    void aSubscriberDroppedFromTheNameAndBackAgainCountsWhatItMissed() throws Exception {
        BlockingQueue<EventEnvelope<?>> a = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> b = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subA = subscriber("ws-a", "tcp://127.0.0.1:*", a);
        ZmqEventSubscriber subB = subscriber("ws-b", "tcp://127.0.0.1:*", b);
        List<InetSocketAddress> both = List.of(address(subA), address(subB));
        AtomicReference<List<InetSocketAddress>> dns = new AtomicReference<>(both);
        ZmqTarget target = ZmqTarget.dns("websocket.test", 23499).withResolveInterval(Duration.ofMillis(50))
                .withResolver((host, port) -> dns.get());
        ZmqEventPublisher publisher = opened(ZmqEventPublisher.start(ZmqConnectConfig.builder("auction-events",
                target).heartbeatInterval(Duration.ofMillis(100)).build(), codec, null));
        awaitAllReceiving(publisher, a, b);

        dns.set(List.of(address(subA)));
        await().atMost(TIMEOUT).until(() -> !publisher.endpoints().contains(subB.endpoint()));
        for (int i = 0; i < 10; i++) {
            publisher.publish(tick("missed-by-b", i)).toCompletableFuture().join();
        }
        assertThat(take(a, "missed-by-b", 10)).isEqualTo(range(10));
        dns.set(both);

        // no event is published now: B learns of the 10 it missed from the publisher's heartbeat
        await().atMost(TIMEOUT).until(() -> subB.missedEvents() == 10);
        assertThat(b).as("B received none of them").isEmpty();
        assertThat(subA.missedEvents()).isZero();
    }

    @Test
    void removingASubscriberFromTheNameStopsSendingToIt() throws Exception {
        BlockingQueue<EventEnvelope<?>> a = new LinkedBlockingQueue<>();
        BlockingQueue<EventEnvelope<?>> b = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subA = subscriber("ws-a", "tcp://127.0.0.1:*", a);
        ZmqEventSubscriber subB = subscriber("ws-b", "tcp://127.0.0.1:*", b);
        AtomicReference<List<InetSocketAddress>> dns = new AtomicReference<>(List.of(address(subA), address(subB)));
        ZmqTarget target = ZmqTarget.dns("websocket.test", 23499).withResolveInterval(Duration.ofMillis(50))
                .withResolver((host, port) -> dns.get());
        ZmqEventPublisher publisher = opened(ZmqEventPublisher.start(
                ZmqConnectConfig.builder("auction-events", target).build(), codec, null));
        awaitAllReceiving(publisher, a, b);

        dns.set(List.of(address(subA)));
        await().atMost(TIMEOUT).until(() -> publisher.endpoints().equals(java.util.Set.of(subA.endpoint())));
        for (int i = 0; i < 100; i++) {
            publisher.publish(tick("after-removal", i)).toCompletableFuture().join();
        }
        publisher.publish(tick("sync", 0)).toCompletableFuture().join();

        assertThat(take(a, "after-removal", 100)).isEqualTo(range(100));
        assertThat(take(a, "sync", 1)).containsExactly(0);
        assertThat(b).as("B, no longer behind the name, got nothing after the sync point").isEmpty();
    }
}
