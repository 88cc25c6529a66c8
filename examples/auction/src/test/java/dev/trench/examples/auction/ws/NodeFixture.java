package dev.trench.examples.auction.ws;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** A node on loopback with a Prometheus registry, scripted snapshots and two known tokens. */
final class NodeFixture implements AutoCloseable {
    /** Tokens the test verifier knows: {@code t-alice} is alice's, {@code t-bob} bob's. */
    static final TokenVerifier TOKENS = token -> Optional.ofNullable(Map.of("t-alice", "alice", "t-bob", "bob")
            .get(token));

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ScriptedSnapshots snapshots = new ScriptedSnapshots();
    final WebSocketNode node;
    final int port;

    NodeFixture() {
        this(b -> b);
    }

    NodeFixture(UnaryOperator<WebSocketNodeConfig.Builder> settings) {
        WebSocketNodeConfig config = settings.apply(WebSocketNodeConfig.builder()
                .name("ws-test").host("127.0.0.1").port(0).ioThreads(2).fanoutThreads(2)
                .reorderWindow(Duration.ZERO).closeTimeout(Duration.ofSeconds(2))).build();
        node = new WebSocketNode(config, TOKENS, snapshots, registry);
        port = node.start();
    }

    double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Override
    public void close() {
        node.close();
        registry.close();
    }
}
