package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.Accepted;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.CommandSender;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AsyncMiddlewareTest {

    /** A command handled by the worker service "auction-worker". */
    record RaiseBid(String auctionId) implements Command<Accepted> {
    }

    /** A command handled wherever it is dispatched. */
    record Echo(String text) implements Command<String> {
    }

    private final AtomicInteger handled = new AtomicInteger();

    private CommandSpec<RaiseBid> raiseBid() {
        return CommandSpec.of(RaiseBid.class, "auction.raise-bid")
                .handler((RaiseBid c, HandlerContext<Accepted> ctx) -> handled.incrementAndGet())
                .capability(HandledAsynchronously.by("auction-worker"))
                .build();
    }

    private static CommandSpec<Echo> echo() {
        return CommandSpec.of(Echo.class, "test.echo")
                .handler((Echo c, HandlerContext<String> ctx) -> ctx.result("echo:" + c.text()))
                .build();
    }

    /** A sender whose acknowledgements the test gives by hand. */
    static final class ManualSender implements CommandSender {
        final List<Envelope<?>> sent = Collections.synchronizedList(new ArrayList<>());
        final List<CompletableFuture<Accepted>> acks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope) {
            sent.add(envelope);
            CompletableFuture<Accepted> ack = new CompletableFuture<>();
            acks.add(ack);
            return ack;
        }

        void ack(int index) {
            Envelope<?> e = sent.get(index);
            acks.get(index).complete(new Accepted(e.commandId(), "auction-worker", "10.0.3.7:8090",
                    Instant.parse("2025-01-01T00:00:00Z")));
        }
    }

    @Test
    void aCommandForAnotherWorkerIsSentAndItsDispatchCompletesWithTheWorkersAcknowledgement() {
        ManualSender sender = new ManualSender();
        CommandBus bus = CommandBus.builder().register(raiseBid())
                .append(AsyncMiddleware.builder().sender("auction-worker", sender).build())
                .build();

        CompletableFuture<Accepted> result = bus.dispatch(new RaiseBid("A1")).toCompletableFuture();

        assertThat(result).isNotDone();
        assertThat(sender.sent).singleElement().satisfies(e -> assertThat(e.command()).isEqualTo(new RaiseBid("A1")));
        sender.ack(0);
        assertThat(result).isCompleted();
        Accepted accepted = result.join();
        assertThat(accepted.commandId()).isEqualTo(sender.sent.get(0).commandId());
        assertThat(accepted.worker()).isEqualTo("auction-worker");
        assertThat(accepted.endpoint()).isEqualTo("10.0.3.7:8090");
        assertThat(handled).hasValue(0);
        assertThat(bus.describe()).contains("auction.raise-bid (RaiseBid) handled elsewhere");
    }

    @Test
    void aCommandForAWorkerThisNodeIsIsHandledHere() {
        CommandBus bus = CommandBus.builder().register(raiseBid())
                .append(AsyncMiddleware.builder().localWorker("auction-worker").build())
                .build();

        CompletableFuture<Accepted> result = bus.dispatch(new RaiseBid("A1")).toCompletableFuture();

        assertThat(result).isCompleted();
        assertThat(handled).hasValue(1);
    }

    @Test
    void aCommandWithoutTheCapabilityGoesDownTheChainUnchanged() {
        ManualSender sender = new ManualSender();
        CommandBus bus = CommandBus.builder().register(echo())
                .append(AsyncMiddleware.builder().sender("auction-worker", sender).build())
                .build();

        assertThat(bus.dispatch(new Echo("hi")).toCompletableFuture()).isCompletedWithValue("echo:hi");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void whenMaxInFlightSendsAwaitTheirAckTheNextCommandFailsAtOnceWithOverloaded() {
        ManualSender sender = new ManualSender();
        AsyncMiddleware async = AsyncMiddleware.builder().sender("auction-worker", sender).maxInFlight(2).build();
        CommandBus bus = CommandBus.builder().register(raiseBid()).append(async).build();

        CompletableFuture<Accepted> first = bus.dispatch(new RaiseBid("A1")).toCompletableFuture();
        bus.dispatch(new RaiseBid("A2"));
        CompletionStage<Accepted> third = bus.dispatch(new RaiseBid("A3"));

        assertThat(async.inFlight()).isEqualTo(2);
        assertThat(failure(third)).isInstanceOf(OverloadedException.class)
                .hasMessageContaining("auction.raise-bid")
                .hasMessageContaining("2 commands already wait for a worker's acknowledgement");
        assertThat(sender.sent).hasSize(2);

        sender.ack(0);
        assertThat(first).isCompleted();
        assertThat(async.inFlight()).isEqualTo(1);
        assertThat(bus.dispatch(new RaiseBid("A4")).toCompletableFuture()).isNotDone();
        assertThat(sender.sent).hasSize(3);
        assertThat(async.inFlight()).isEqualTo(2);
    }

    @Test
    void aSendFailureFailsTheDispatchWithTheSendersOwnExceptionAndFreesTheSlot() {
        ManualSender sender = new ManualSender();
        AsyncMiddleware async = AsyncMiddleware.builder().sender("auction-worker", sender).build();
        CommandBus bus = CommandBus.builder().register(raiseBid()).append(async).build();
        IllegalStateException unreachable = new IllegalStateException("no endpoint for auction-worker");

        CompletionStage<Accepted> result = bus.dispatch(new RaiseBid("A1"));
        sender.acks.get(0).completeExceptionally(unreachable);

        assertThat(failure(result)).isSameAs(unreachable);
        assertThat(async.inFlight()).isZero();
    }

    @Test
    void aSenderThatThrowsFailsTheDispatchAndFreesTheSlot() {
        IllegalStateException boom = new IllegalStateException("sender bug");
        AsyncMiddleware async = AsyncMiddleware.builder().sender("auction-worker", (spec, envelope) -> {
            throw boom;
        }).build();
        CommandBus bus = CommandBus.builder().register(raiseBid()).append(async).build();

        assertThat(failure(bus.dispatch(new RaiseBid("A1")))).isSameAs(boom);
        assertThat(async.inFlight()).isZero();
    }

    @Test
    void bootFailsNamingTheCommandAndTheWorkerWhenNoSenderIsConfiguredForIt() {
        CommandBus.Builder builder = CommandBus.builder().register(raiseBid())
                .append(AsyncMiddleware.builder().localWorker("auction-api")
                        .sender("billing-worker", new ManualSender()).build());

        assertThatThrownBy(builder::build)
                .isInstanceOf(BusConfigurationException.class)
                .satisfies(e -> assertThat(((BusConfigurationException) e).problems()).containsExactly(
                        "Command " + RaiseBid.class.getName() + " ('auction.raise-bid') is handled asynchronously by"
                                + " worker 'auction-worker', but dev.trench.bus.middleware.AsyncMiddleware has no"
                                + " sender for it and this node is not that worker; local workers: [auction-api],"
                                + " workers with a sender: [billing-worker]"));
    }

    @Test
    void aNodeThatIsTheWorkerAndSendsToItselfAcknowledgesFirstThenHandlesTheDeliveredEnvelope() {
        AtomicReference<CommandBus> self = new AtomicReference<>();
        AtomicReference<Envelope<?>> delivered = new AtomicReference<>();
        CommandSpec<RaiseBid> spec = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
                .handler((RaiseBid c, HandlerContext<Accepted> ctx) -> {
                    delivered.set(ctx.envelope());
                    handled.incrementAndGet();
                })
                .capability(HandledAsynchronously.by("auction-worker"))
                .build();
        try (InProcessCommandSender sender = InProcessCommandSender.builder("auction-worker", self::get).build()) {
            CommandBus bus = CommandBus.builder().register(spec)
                    .append(AsyncMiddleware.builder().localWorker("auction-worker")
                            .sender("auction-worker", sender).build())
                    .build();
            self.set(bus);

            Accepted accepted = bus.dispatchAndWait(new RaiseBid("A1"));

            assertThat(accepted.endpoint()).isEqualTo(InProcessCommandSender.ENDPOINT);
            await().until(() -> handled.get() == 1);
            assertThat(delivered.get().commandId()).isEqualTo(accepted.commandId());
            assertThat(delivered.get().header(AsyncMiddleware.DELIVERED_TO)).isEqualTo("auction-worker");
            assertThat(bus.describe()).contains("handlers: ");
        }
        assertThat(handled).hasValue(1);
    }

    @Test
    void theBuilderRefusesBadValuesNamingTheField() {
        assertThatThrownBy(() -> AsyncMiddleware.builder().maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInFlight: must be >= 1, was 0");
        assertThatThrownBy(() -> AsyncMiddleware.builder().localWorker(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("localWorker: must name a worker service, was ' '");
        assertThatThrownBy(() -> AsyncMiddleware.builder().sender(null, new ManualSender()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sender: must name a worker service, was null");
        assertThatThrownBy(() -> AsyncMiddleware.builder().sender("w", new ManualSender())
                .sender("w", new ManualSender()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sender: worker 'w' already has a sender");
    }

    @Test
    void itHonoursHandledAsynchronouslyAndReportsItsConfiguration() {
        AsyncMiddleware async = AsyncMiddleware.builder().localWorker("a").sender("b", new ManualSender())
                .build();

        assertThat(async.honours()).containsExactly(HandledAsynchronously.class);
        assertThat(async.localWorkers()).containsExactly("a");
        assertThat(async.remoteWorkers()).containsExactly("b");
        assertThat(async.maxInFlight()).isEqualTo(AsyncMiddleware.DEFAULT_MAX_IN_FLIGHT);
    }
}
