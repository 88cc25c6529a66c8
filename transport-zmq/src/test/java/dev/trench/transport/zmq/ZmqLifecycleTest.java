package dev.trench.transport.zmq;

import static dev.trench.transport.zmq.ZmqTestSupport.TIMEOUT;
import static dev.trench.transport.zmq.ZmqTestSupport.tick;
import static dev.trench.transport.zmq.ZmqTestSupport.trenchThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.WireCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** Starting and closing: every thread ends, every gauge goes, a busy port is reported. */
class ZmqLifecycleTest {
    private final WireCodec codec = ZmqTestSupport.eventCodec();

    @Test
    void closingPublisherAndSubscriberLeavesNoThreadBehind() throws Exception {
        // channel names of this test only: threads of components other test classes closed a moment ago may still be
        // ending (their close() returned once their sockets were closed), and must not decide this test
        Set<String> before = threadsOf("lifecycle-");
        assertThat(before).as("no thread of this test before it starts").isEmpty();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BlockingQueue<EventEnvelope<?>> received = new LinkedBlockingQueue<>();
        ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(ZmqTestSupport.bindAnyPort("lifecycle-ws"), codec,
                received::add, registry);
        URI uri = URI.create(subscriber.endpoint());
        ZmqTarget target = ZmqTarget.dns("websocket.test", 1).withResolveInterval(Duration.ofMillis(20))
                .withResolver((host, port) -> List.of(new InetSocketAddress(uri.getHost(), uri.getPort())));
        ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("lifecycle-events", target)
                .build(), codec, registry);
        ZmqTestSupport.awaitAllReceiving(publisher, received);

        assertThat(threadsOf("lifecycle-")).as("threads while open").contains(
                "trench-zmq-pub-lifecycle-events", "trench-zmq-resolve-lifecycle-events", "trench-zmq-sub-lifecycle-ws")
                .anyMatch(n -> n.startsWith("trench-zmq-pub-lifecycle-events-iothread"))
                .anyMatch(n -> n.startsWith("trench-zmq-sub-lifecycle-ws-reaper"));
        assertThat(registry.find("trench.transport.queue.depth").gauges()).hasSize(1);

        publisher.close();
        subscriber.close();
        publisher.close(); // idempotent
        subscriber.close();

        assertThat(threadsOf("lifecycle-")).as("threads after close").isEmpty();
        assertThat(registry.find("trench.transport.queue.depth").gauges()).as("gauges removed").isEmpty();
        assertThat(registry.find("trench.transport.endpoints").gauges()).isEmpty();
    }

    /** Live transport threads of the channels whose names start with {@code channelPrefix}. */
    private static Set<String> threadsOf(String channelPrefix) {
        return trenchThreads().stream()
                .filter(n -> n.matches("trench-zmq-[a-z]+-" + java.util.regex.Pattern.quote(channelPrefix) + ".*"))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aPortInUseIsReportedWithTheEndpointAndLeavesNoThread() {
        try (ZmqEventSubscriber first = ZmqEventSubscriber.start(ZmqTestSupport.bindAnyPort("ws-1"), codec,
                e -> { }, null)) {
            String taken = first.endpoint();

            assertThatThrownBy(() -> ZmqEventSubscriber.start(ZmqBindConfig.builder("ws-2", taken).build(), codec,
                    e -> { }, null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Channel 'ws-2': cannot bind " + taken);
            assertThat(trenchThreads()).noneMatch(n -> n.startsWith("trench-zmq-sub-ws-2"));
        }
    }

    @Test
    void closingAPublisherSendsWhatIsStillQueued() throws Exception {
        BlockingQueue<EventEnvelope<?>> received = new LinkedBlockingQueue<>();
        try (ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(ZmqTestSupport.bindAnyPort("ws"), codec,
                received::add, null)) {
            ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("events",
                    ZmqTarget.endpoints(subscriber.endpoint()))
                    .socketOptions(ZmqSocketOptions.defaults().withLinger(TIMEOUT)).build(), codec, null);
            ZmqTestSupport.awaitAllReceiving(publisher, received);
            for (int i = 0; i < 500; i++) {
                publisher.publish(tick("last", i));
            }

            publisher.close();

            assertThat(ZmqTestSupport.take(received, "last", 500)).isEqualTo(ZmqTestSupport.range(500));
        }
    }
}
