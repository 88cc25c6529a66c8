package dev.trench.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration values are validated with messages naming the field and the value. */
class ZmqConfigTest {

    @Test
    void socketOptionsNameTheBadValue() {
        assertThatThrownBy(() -> ZmqSocketOptions.defaults().withHighWaterMark(-1))
                .hasMessage("highWaterMark: must be >= 0 (0 = no limit), was -1");
        assertThatThrownBy(() -> ZmqSocketOptions.defaults().withLinger(Duration.ofMillis(-5)))
                .hasMessage("linger: must be >= 0, was PT-0.005S");
        assertThatThrownBy(() -> ZmqSocketOptions.defaults().withReconnectInterval(Duration.ZERO))
                .hasMessage("reconnectInterval: must be > 0, was PT0S");
        assertThatThrownBy(() -> ZmqSocketOptions.defaults().withHandshakeInterval(Duration.ZERO))
                .hasMessage("handshakeInterval: must be > 0, was PT0S");
        assertThat(ZmqSocketOptions.defaults()).isEqualTo(new ZmqSocketOptions(1000, Duration.ZERO,
                Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    @Test
    void targetsNameTheBadValue() {
        assertThatThrownBy(() -> ZmqTarget.endpoints()).hasMessage("endpoints: must name at least one endpoint, was []");
        assertThatThrownBy(() -> ZmqTarget.endpoints("ws-1:23499"))
                .hasMessage("endpoints: each must look like tcp://host:port, was 'ws-1:23499'");
        assertThatThrownBy(() -> ZmqTarget.endpoints("tcp://a:1", "tcp://a:1"))
                .hasMessage("endpoints: must not repeat an endpoint, was [tcp://a:1, tcp://a:1]");
        assertThatThrownBy(() -> ZmqTarget.dns(" ", 1)).hasMessage("host: must be a DNS name, was ' '");
        assertThatThrownBy(() -> ZmqTarget.dns("ws", 70000)).hasMessage("port: must be 1..65535, was 70000");
        assertThatThrownBy(() -> ZmqTarget.dns("ws", 1).withResolveInterval(Duration.ZERO))
                .hasMessage("resolveInterval: must be >= 1ms, was PT0S");
        assertThatThrownBy(() -> ZmqTarget.endpoints("tcp://a:1").withResolveInterval(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("resolveInterval: only a DNS target");
    }

    @Test
    void resolvedAddressesBecomeEndpoints() throws Exception {
        assertThat(ZmqTarget.endpointOf(new InetSocketAddress(InetAddress.getByName("10.0.3.7"), 23499)))
                .isEqualTo("tcp://10.0.3.7:23499");
        assertThat(ZmqTarget.endpointOf(new InetSocketAddress(InetAddress.getByName("::1"), 23499)))
                .isEqualTo("tcp://[0:0:0:0:0:0:0:1]:23499");
        assertThat(ZmqTarget.dns("ws", 23499).toString()).isEqualTo("dns:ws:23499 (every PT5S)");
    }

    @Test
    void connectAndBindConfigsNameTheBadValue() {
        ZmqTarget target = ZmqTarget.endpoints("tcp://a:1");
        assertThatThrownBy(() -> ZmqConnectConfig.builder("Auction Events", target))
                .hasMessage("name: must be lowercase words separated by '.' or '-', was 'Auction Events'");
        assertThatThrownBy(() -> ZmqConnectConfig.builder("events", target).queueCapacity(0))
                .hasMessage("queueCapacity: must be >= 1, was 0");
        assertThatThrownBy(() -> ZmqConnectConfig.builder("events", target).heartbeatInterval(Duration.ofSeconds(-1)))
                .hasMessage("heartbeatInterval: must be >= 0 (0 = off), was PT-1S");
        assertThatThrownBy(() -> ZmqBindConfig.builder("ws", "23499"))
                .hasMessage("bindEndpoint: must look like tcp://*:23499, was '23499'");
        assertThatThrownBy(() -> ZmqBindConfig.builder("ws", "tcp://*:1").maxInFlight(0))
                .hasMessage("maxInFlight: must be >= 1, was 0");

        ZmqConnectConfig config = ZmqConnectConfig.builder("events", target).queueCapacity(5)
                .heartbeatInterval(Duration.ZERO).build();
        assertThat(config.queueCapacity()).isEqualTo(5);
        assertThat(config.heartbeatInterval()).isZero();
        assertThat(config.socketOptions()).isEqualTo(ZmqSocketOptions.defaults());
    }
}
