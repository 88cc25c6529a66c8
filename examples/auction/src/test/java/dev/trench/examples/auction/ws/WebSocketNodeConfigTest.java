package dev.trench.examples.auction.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebSocketNodeConfigTest {

    @Test
    void theDefaultsAreValidAndDocumented() {
        WebSocketNodeConfig c = WebSocketNodeConfig.builder().build();
        assertThat(c.port()).isEqualTo(8081);
        assertThat(c.path()).isEqualTo("/ws");
        assertThat(c.pingInterval()).isLessThan(c.idleTimeout());
        assertThat(c.writeBufferHighWaterMark()).isLessThan(c.maxPendingBytes());
        assertThat(c.reorderWindow()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void everyInvalidValueIsReportedAtOnceNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> WebSocketNodeConfig.builder()
                .port(70_000)
                .path("ws")
                .maxConnections(0)
                .writeBufferWaterMark(64, 32)
                .pingInterval(Duration.ofSeconds(60))
                .idleTimeout(Duration.ofSeconds(30))
                .reorderWindow(Duration.ofMillis(-1))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("WebSocketNodeConfig has 6 invalid values:")
                .hasMessageContaining("1. port: must be within [0, 65535], was 70000")
                .hasMessageContaining("path: must be an absolute path without query, other than /health/… and "
                        + "/metrics, was 'ws'")
                .hasMessageContaining("maxConnections: must be at least 1, was 0")
                .hasMessageContaining("writeBufferHighWaterMark: must be at least writeBufferLowWaterMark (64), was 32")
                .hasMessageContaining("pingInterval: must be shorter than idleTimeout (PT30S) so that pongs keep "
                        + "sessions open, was PT1M")
                .hasMessageContaining("reorderWindow: must be zero or positive, was PT-0.001S");
    }

    @Test
    void limitsMustFitInsideEachOther() {
        assertThatThrownBy(() -> WebSocketNodeConfig.builder().maxConnections(10).maxConnectionsPerAddress(20)
                .maxFrameBytes(1024).maxClientMessageBytes(2048).build())
                .hasMessageContaining("maxConnectionsPerAddress: must not exceed maxConnections (10), was 20")
                .hasMessageContaining("maxClientMessageBytes: must not exceed maxFrameBytes (1024), was 2048");
    }

    @Test
    void fromCopiesEverySetting() {
        WebSocketNodeConfig base = WebSocketNodeConfig.builder().name("ws-2").port(8082).maxPendingFrames(7)
                .snapshotTimeout(Duration.ofMillis(300)).build();
        WebSocketNodeConfig copy = WebSocketNodeConfig.from(base).build();
        assertThat(copy).hasToString(base.toString());
        assertThat(WebSocketNodeConfig.from(base).port(9000).build().port()).isEqualTo(9000);
    }
}
