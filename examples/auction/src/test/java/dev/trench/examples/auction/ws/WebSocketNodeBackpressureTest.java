package dev.trench.examples.auction.ws;

import static dev.trench.examples.auction.ws.TestEvents.raised;
import static dev.trench.examples.auction.ws.TestEvents.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slow clients, connection limits, keepalive and idle timeouts. */
@Timeout(120)
class WebSocketNodeBackpressureTest {

    @Test
    void aClientThatDoesNotReadIsDisconnectedWhileAReadingOneGetsEveryEvent() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b
                .maxPendingBytes(64 * 1024)
                .writeBufferWaterMark(8 * 1024, 16 * 1024)
                .socketSendBufferBytes(16 * 1024));
                WsTestClient reader = WsTestClient.connect(f.port);
                RawWebSocket stalled = new RawWebSocket(f.port, 4 * 1024)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            reader.subscribe("A1");
            stalled.sendText("{\"subscribe\": \"A1\"}");
            await().until(() -> f.node.sessionCount() == 2);
            // the stalled client is subscribed once a raise reaches the reader after its subscribe was read; its
            // snapshot and events then pile up, unread
            long seq = 0;
            int batch = 200;
            while (f.counter(WebSocketMeters.SLOW_CLIENT_DISCONNECTS) == 0) {
                assertThat(seq).as("the stalled client should have been disconnected by now").isLessThan(200_000);
                for (int i = 0; i < batch; i++) {
                    f.node.accept(raised("A1", ++seq));
                }
                // pace the producer by the reading client (it must never fall behind by more than one batch)
                for (JsonNode m : reader.next(batch)) {
                    assertThat(m.path("type").asText()).isEqualTo("AuctionRaised");
                }
            }
            long disconnectedAt = seq;
            // closed at once, though the stalled client still has not read a byte (no waiting for a close handshake)
            await().atMost(Duration.ofSeconds(2)).until(() -> f.node.sessionCount() == 1);
            for (int i = 0; i < 2 * batch; i++) {
                f.node.accept(raised("A1", ++seq));
            }
            assertThat(reader.next(2 * batch)).extracting(m -> m.path("seq").asLong())
                    .as("the reader got every event after the disconnect, in order")
                    .startsWith(disconnectedAt + 1).endsWith(seq).isSorted().doesNotHaveDuplicates();

            String received = new String(stalled.readUntilClosed(), java.nio.charset.StandardCharsets.ISO_8859_1);
            int framesReceived = received.split("\"type\":\"AuctionRaised\"", -1).length - 1;
            assertThat(framesReceived).as("the stalled client got only what fitted before it was cut off")
                    .isLessThan((int) disconnectedAt);
            assertThat(f.counter(WebSocketMeters.SLOW_CLIENT_DISCONNECTS)).isEqualTo(1);
        }
    }

    @Test
    void upgradesPastTheConnectionLimitsAreRefusedWith503() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.maxConnections(3).maxConnectionsPerAddress(2));
                WsTestClient one = WsTestClient.connect(f.port);
                WsTestClient two = WsTestClient.connect(f.port)) {
            Throwable refused = catchThrowable(() -> WsTestClient.attempt(f.port, "")
                    .get(WsTestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(503));
            assertThat(f.counter(WebSocketMeters.UPGRADES_REFUSED, "reason", "address-full")).isEqualTo(1);

            two.close();
            await().until(() -> f.node.sessionCount() == 1);
            try (WsTestClient again = WsTestClient.connect(f.port)) {
                await().until(() -> f.node.sessionCount() == 2);
            }
        }
        try (NodeFixture f = new NodeFixture(b -> b.maxConnections(1).maxConnectionsPerAddress(1));
                WsTestClient one = WsTestClient.connect(f.port)) {
            Throwable refused = catchThrowable(() -> WsTestClient.attempt(f.port, "")
                    .get(WsTestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
            assertThat(refused).cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                    e -> assertThat(e.getResponse().statusCode()).isEqualTo(503));
            assertThat(f.counter(WebSocketMeters.UPGRADES_REFUSED, "reason", "node-full")).isEqualTo(1);
        }
    }

    @Test
    void aQuietSessionIsPingedAndStaysOpenBecauseItsClientAnswersWithPongs() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.pingInterval(Duration.ofMillis(100))
                .idleTimeout(Duration.ofMillis(500)));
                WsTestClient client = WsTestClient.connect(f.port)) {
            for (int i = 0; i < 8; i++) {
                assertThat(client.pings.poll(WsTestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("ping " + (i + 1)).isNotNull();
            }
            // eight pings at 100 ms: well past the 500 ms idle timeout, and the JDK client's pongs kept it open
            assertThat(client.closed).isNotDone();
            assertThat(f.node.sessionCount()).isEqualTo(1);
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");
        }
    }

    @Test
    void aClientThatNeverAnswersIsClosedAfterTheIdleTimeout() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.pingInterval(Duration.ofMillis(100))
                .idleTimeout(Duration.ofMillis(400)))) {
            long start = System.nanoTime();
            RawWebSocket silent = new RawWebSocket(f.port, 64 * 1024);

            byte[] received = silent.readUntilClosed();
            silent.close();

            // the node's last read (the upgrade request) came after start
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(390));
            assertThat(received).as("pings (opcode 0x89) then a close frame (0x88)").contains((byte) 0x89)
                    .endsWith(closeFrameTail(1000, "idle timeout"));
            await().until(() -> f.node.sessionCount() == 0);
        }
    }

    /** The end of a server close frame: status code then reason (the header before them varies with length). */
    private static byte[] closeFrameTail(int status, String reason) {
        byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = new byte[2 + text.length];
        tail[0] = (byte) (status >>> 8);
        tail[1] = (byte) status;
        System.arraycopy(text, 0, tail, 2, text.length);
        return tail;
    }
}
