package dev.trench.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every configuration refuses bad values at build time, naming each field and value at once. */
class ConfigTest {

    @Test
    void serverConfigNamesEveryBadFieldAndValue() {
        assertThatThrownBy(() -> HttpServerConfig.builder().port(70_000).ioThreads(0)
                .drainTimeout(Duration.ofSeconds(-1)).maxRequestBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HttpServerConfig has 4 problems")
                .hasMessageContaining("port: must be within [0, 65535], was 70000")
                .hasMessageContaining("ioThreads: must be >= 1, was 0")
                .hasMessageContaining("maxRequestBytes: must be within [1, 67108864], was 0")
                .hasMessageContaining("drainTimeout: must be positive, was PT-1S");
    }

    @Test
    void serverConfigDerivesFromABase() {
        HttpServerConfig base = HttpServerConfig.builder().name("api").port(8080).build();
        HttpServerConfig derived = HttpServerConfig.from(base).port(9090).build();

        assertThat(derived.name()).isEqualTo("api");
        assertThat(derived.port()).isEqualTo(9090);
        assertThat(derived.drainTimeout()).isEqualTo(base.drainTimeout());
        assertThat(HttpServerConfig.from(base).build()).isEqualTo(base);
    }

    @Test
    void commandServerConfigNamesEveryBadFieldAndValue() {
        assertThatThrownBy(() -> HttpCommandServerConfig.builder().queueCapacity(0).workerThreads(-2)
                .dedupeWindow(Duration.ZERO).syncCommand("Not A Name").path("commands").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path: must be an absolute path without parameters, such as /commands,"
                        + " was 'commands'")
                .hasMessageContaining("queueCapacity: must be within [1, 10000000], was 0")
                .hasMessageContaining("workerThreads: must be within [1, 10000], was -2")
                .hasMessageContaining("dedupeWindow: must be positive, was PT0S")
                .hasMessageContaining("syncCommands: must hold logical command names such as auction.raise-bid,"
                        + " was 'Not A Name'");
    }

    @Test
    void senderConfigNamesEveryBadFieldAndValue() {
        assertThatThrownBy(() -> HttpCommandSenderConfig.builder("auction-worker")
                .endpoints(List.of("10.0.0.1", "10.0.0.2:99999", "::1:8090", "[::1]:8090"))
                .maxAttempts(0).retryBackoff(Duration.ofMillis(100)).maxRetryBackoff(Duration.ofMillis(10))
                .requestTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoints: must be host:port, was '10.0.0.1'")
                .hasMessageContaining("endpoints: must have a port within [1, 65535], was '10.0.0.2:99999'")
                .hasMessageContaining("endpoints: must write an IPv6 host in brackets, e.g. [::1]:8090, was '::1:8090'")
                .hasMessageContaining("maxAttempts: must be within [1, 100], was 0")
                .hasMessageContaining("maxRetryBackoff: must be >= retryBackoff (PT0.1S), was PT0.01S")
                .hasMessageContaining("requestTimeout: must be positive, was PT0S")
                .hasMessageNotContaining("[::1]:8090'");
    }

    @Test
    void senderConfigNeedsEndpointsOrADnsName() {
        assertThatThrownBy(() -> HttpCommandSenderConfig.builder("w").build())
                .hasMessageContaining("endpoints: must list at least one host:port, or use dns(name, port), was []");
        assertThatThrownBy(() -> HttpCommandSenderConfig.builder("w").dns("http://workers", 0).build())
                .hasMessageContaining("dnsName: must be a host name without port or scheme, was 'http://workers'")
                .hasMessageContaining("dnsPort: must be within [1, 65535], was 0");
        assertThatThrownBy(() -> HttpCommandSenderConfig.builder(" ").endpoints(List.of("a:1")).build())
                .hasMessageContaining("worker: must name a worker service, was ' '");
    }

    @Test
    void senderConfigFindsTheRoutingKeyOfACommand() {
        HttpCommandSenderConfig config = HttpCommandSenderConfig.builder("w").endpoints(List.of("a:1"))
                .routingKey(TestWorker.Work.class, TestWorker.Work::key).build();

        assertThat(config.routingKey(new TestWorker.Work("A7", 1))).isEqualTo("A7");
        assertThat(config.routingKey(new TestWorker.Other("x"))).isNull();
        assertThat(HttpCommandSenderConfig.from(config).build().routingKey(new TestWorker.Work("A8", 1)))
                .isEqualTo("A8");
    }
}
