package dev.trench.examples.auction.api;

import dev.trench.bus.CommandBus;
import dev.trench.bus.middleware.StandardMiddleware;
import dev.trench.examples.auction.AuctionWire;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.transport.http.HttpCommandSender;
import dev.trench.transport.http.HttpCommandSenderConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The command bus of a node that hands auction commands to the {@code auction-worker} service: the API, the
 * {@code send} console role and the demo's bots. Its chain is the standard one without handlers: logging, metrics,
 * then the async middleware, which hands {@link RaiseBid} and {@link OpenAuction} (both {@code HandledAsynchronously}
 * by {@code auction-worker}) to an {@link HttpCommandSender}; a dispatch completes with
 * {@link dev.trench.bus.Accepted} once a worker queued the command, or fails with
 * {@link dev.trench.bus.OverloadedException} or {@link dev.trench.transport.http.HttpSendException} when none did.
 *
 * <pre>{@code
 * try (ApiBus api = ApiBus.connect(WorkerAddresses.parse(List.of("auction-worker:8090")), registry)) {
 *     Accepted accepted = api.bus().dispatchAndWait(new RaiseBid("A1", "alice", new BigDecimal("12.50")));
 * }
 * }</pre>
 */
public final class ApiBus implements AutoCloseable {
    private final CommandBus bus;
    private final HttpCommandSender sender;

    private ApiBus(CommandBus bus, HttpCommandSender sender) {
        this.bus = bus;
        this.sender = sender;
    }

    /** Connects to the workers with the sender's default timings. */
    public static ApiBus connect(WorkerAddresses workers, MeterRegistry registry) {
        return connect(workers, registry, UnaryOperator.identity(), "auction-api");
    }

    /**
     * Connects to the workers.
     *
     * @param workers  where the {@code auction-worker} service is
     * @param registry where the bus's and the sender's meters go
     * @param tuning   adjusts the sender's settings (timeouts, attempts) before they are built
     * @param name     the bus's name in logs (e.g. {@code auction-api}, {@code auction-send})
     */
    public static ApiBus connect(WorkerAddresses workers, MeterRegistry registry,
            UnaryOperator<HttpCommandSenderConfig.Builder> tuning, String name) {
        Objects.requireNonNull(workers, "workers");
        Objects.requireNonNull(registry, "registry");
        HttpCommandSender sender = HttpCommandSender.builder(tuning.apply(workers.senderConfig()).build(),
                        AuctionWire.codec())
                .meterRegistry(registry)
                .build();
        try {
            CommandBus.Builder builder = CommandBus.builder()
                    .name(name)
                    .register(RaiseBid.SPEC)
                    .register(OpenAuction.SPEC);
            StandardMiddleware.builder()
                    .meterRegistry(registry)
                    .async(async -> async.sender(RaiseBid.WORKER, sender))
                    .build()
                    .forEach(builder::append);
            return new ApiBus(builder.build(), sender);
        } catch (RuntimeException e) {
            sender.close();
            throw e;
        }
    }

    /** The bus: dispatch {@link RaiseBid} and {@link OpenAuction} here. */
    public CommandBus bus() {
        return bus;
    }

    /** The sender to the workers: its endpoints, its in-flight count. */
    public HttpCommandSender sender() {
        return sender;
    }

    /** Closes the sender; commands not yet accepted fail. */
    @Override
    public void close() {
        sender.close();
    }

    @Override
    public String toString() {
        return "ApiBus{" + sender + "}";
    }
}
