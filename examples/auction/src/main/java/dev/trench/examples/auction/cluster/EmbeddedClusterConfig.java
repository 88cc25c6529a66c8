package dev.trench.examples.auction.cluster;

import dev.trench.examples.auction.demo.DemoSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of the embedded cluster (the {@code all} role). Port 0 anywhere picks a free port.
 *
 * @param host             the address every server binds; {@code 127.0.0.1} (loopback) by default
 * @param publicHost       the host name in the URLs printed and announced to the page; {@code localhost}
 * @param apiPort          the API and the page; 8080
 * @param workerPorts      one command port per worker; 8090, 8091
 * @param wsPorts          one websocket port per node; 8081, 8082
 * @param wsEventPorts     one ZeroMQ event port per websocket node, same count as {@code wsPorts}; 23499, 23500
 * @param tokenKey         the session tokens' HMAC key; {@code null} for a random one
 * @param tokenTtl         how long a session token stays valid
 * @param maxBidsPerSecond each user's sustained bid rate
 * @param bidBurst         each user's burst of bids
 * @param demo             the demo's settings, or {@code null} for no demo
 */
public record EmbeddedClusterConfig(String host, String publicHost, int apiPort, List<Integer> workerPorts,
        List<Integer> wsPorts, List<Integer> wsEventPorts, @Nullable String tokenKey, Duration tokenTtl,
        double maxBidsPerSecond, int bidBurst, @Nullable DemoSettings demo) {

    /** Validates every value, naming the field. */
    public EmbeddedClusterConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publicHost, "publicHost");
        requirePort("apiPort", apiPort);
        workerPorts = List.copyOf(workerPorts);
        wsPorts = List.copyOf(wsPorts);
        wsEventPorts = List.copyOf(wsEventPorts);
        if (workerPorts.isEmpty()) {
            throw new IllegalArgumentException("workerPorts: must list at least one port");
        }
        if (wsPorts.isEmpty()) {
            throw new IllegalArgumentException("wsPorts: must list at least one port");
        }
        if (wsEventPorts.size() != wsPorts.size()) {
            throw new IllegalArgumentException("wsEventPorts: must list one port per websocket node (" + wsPorts.size()
                    + "), was " + wsEventPorts);
        }
        workerPorts.forEach(p -> requirePort("workerPorts", p));
        wsPorts.forEach(p -> requirePort("wsPorts", p));
        wsEventPorts.forEach(p -> requirePort("wsEventPorts", p));
        Objects.requireNonNull(tokenTtl, "tokenTtl");
    }

    private static void requirePort(String field, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(field + ": must be within [0, 65535], was " + port);
        }
    }

    /** The defaults of {@code java -jar auction.jar all}: the ports above, a random key, the demo on. */
    public static EmbeddedClusterConfig defaults() {
        return new EmbeddedClusterConfig("127.0.0.1", "localhost", 8080, List.of(8090, 8091), List.of(8081, 8082),
                List.of(23499, 23500), null, Duration.ofHours(12), 5, 10, DemoSettings.defaults());
    }
}
