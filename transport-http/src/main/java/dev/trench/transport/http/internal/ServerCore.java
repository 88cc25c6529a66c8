package dev.trench.transport.http.internal;

import dev.trench.transport.http.HttpServerConfig;
import dev.trench.transport.http.HttpMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What every connection of one server shares: settings, routes, meters, the draining flag and the open channels. */
public final class ServerCore {
    final HttpServerConfig config;
    final Router router;
    final ChannelGroup channels;
    final InFlight exchanges = new InFlight();
    final String retryAfterSeconds;
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile boolean draining;

    /** Creates the shared state of one server. */
    public ServerCore(HttpServerConfig config, Router router, ChannelGroup channels, MeterRegistry registry) {
        this.config = config;
        this.router = router;
        this.channels = channels;
        this.registry = registry;
        long millis = config.retryAfter().toMillis();
        this.retryAfterSeconds = Long.toString(Math.max(1, (millis + 999) / 1000));
    }

    /** Starts draining: every later answer closes its connection, handlers see {@code draining()}. */
    public void beginDrain() {
        draining = true;
    }

    /** Whether the server is draining. */
    public boolean draining() {
        return draining;
    }

    /** Every open connection. */
    public ChannelGroup channels() {
        return channels;
    }

    /** Requests read and not yet answered. */
    public InFlight exchanges() {
        return exchanges;
    }

    /** The seconds for {@code Retry-After}. */
    public String retryAfterSeconds() {
        return retryAfterSeconds;
    }

    void record(String method, String route, int status, long nanos) {
        String key = method + ' ' + route + ' ' + status;
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> Timer.builder(HttpMeters.HTTP_REQUESTS)
                    .description("Requests answered by an HTTP server")
                    .tag(HttpMeters.TAG_SERVER, config.name())
                    .tag(HttpMeters.TAG_METHOD, method)
                    .tag(HttpMeters.TAG_ROUTE, route)
                    .tag(HttpMeters.TAG_STATUS, Integer.toString(status))
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
