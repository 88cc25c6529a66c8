package dev.trench.examples.auction.worker;

import dev.trench.bus.Middleware;
import dev.trench.bus.middleware.EventsMiddleware;
import dev.trench.bus.middleware.InMemoryDeadLetterStore;
import dev.trench.bus.middleware.StandardMiddleware;
import dev.trench.bus.guice.TrenchModule;
import dev.trench.bus.spi.EventPublisher;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.AuctionStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The worker's bus, as a Guice module: the {@link AuctionStore} binding (the handlers get it injected), the two
 * commands ({@link RaiseBid#SPEC}, {@link OpenAuction#SPEC}) and the middleware, outermost first: logging, metrics,
 * events (publishing {@code AuctionRaised} to every websocket node), {@link BidRejectionNotifier}, async (this node is
 * {@code auction-worker}, so the handlers run here), retry (on {@code scheduler}, dead letters into
 * {@code deadLetters}).
 */
public final class WorkerModule extends TrenchModule {
    private final String busName;
    private final AuctionStore store;
    private final EventPublisher publisher;
    private final ScheduledExecutorService scheduler;
    private final InMemoryDeadLetterStore deadLetters;
    private final MeterRegistry registry;
    private final Clock clock;

    /**
     * The module.
     *
     * @param busName     the bus's name in logs (e.g. {@code worker-1})
     * @param store       the auction state the handlers read and write
     * @param publisher   where events go (a ZeroMQ publisher to every websocket node)
     * @param scheduler   where retries wait
     * @param deadLetters where commands that failed their last attempt go
     * @param registry    where the bus's meters go
     * @param clock       the bus clock
     */
    public WorkerModule(String busName, AuctionStore store, EventPublisher publisher,
            ScheduledExecutorService scheduler, InMemoryDeadLetterStore deadLetters, MeterRegistry registry,
            Clock clock) {
        this.busName = Objects.requireNonNull(busName, "busName");
        this.store = Objects.requireNonNull(store, "store");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    protected void configureBus() {
        bind(AuctionStore.class).toInstance(store);
        name(busName);
        clock(clock);
        command(RaiseBid.SPEC);
        command(OpenAuction.SPEC);
        middlewareStack().forEach(this::middleware);
    }

    /** The standard stack with the {@link BidRejectionNotifier} just inside the events middleware. */
    private List<Middleware> middlewareStack() {
        List<Middleware> standard = StandardMiddleware.builder()
                .meterRegistry(registry)
                .events(events -> events.publisher(publisher).clock(clock))
                .async(async -> async.localWorker(RaiseBid.WORKER))
                .retry(retry -> retry.scheduler(scheduler).deadLetterSink(deadLetters).clock(clock))
                .build();
        List<Middleware> stack = new ArrayList<>(standard.size() + 1);
        for (Middleware m : standard) {
            stack.add(m);
            if (m instanceof EventsMiddleware) {
                stack.add(new BidRejectionNotifier(publisher, clock));
            }
        }
        return stack;
    }
}
