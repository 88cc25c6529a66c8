package dev.trench.benchmarks;

import dev.trench.bus.Middleware;
import dev.trench.bus.middleware.StandardMiddleware;
import dev.trench.examples.auction.raisebid.RaiseBid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The standard middleware as a worker runs it: logging (its logger at WARN, so success lines are not printed),
 * metrics into a {@link SimpleMeterRegistry}, events to a publisher that drops them, async with this node as the
 * {@code auction-worker} (handled here), retry with a real scheduler (never used: nothing fails).
 */
final class StandardStack implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Middleware> middleware;

    StandardStack(Clock clock) {
        middleware = StandardMiddleware.builder()
                .meterRegistry(new SimpleMeterRegistry())
                .events(e -> e.clock(clock).publisher(event -> CompletableFuture.completedFuture(null)))
                .async(a -> a.localWorker(RaiseBid.WORKER))
                .retry(r -> r.scheduler(scheduler).clock(clock))
                .build();
    }

    List<Middleware> middleware() {
        return middleware;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
