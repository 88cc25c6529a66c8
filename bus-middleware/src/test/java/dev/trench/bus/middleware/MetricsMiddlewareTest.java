package dev.trench.bus.middleware;

import static java.time.Duration.ofMillis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.middleware.AsyncMiddlewareTest.ManualSender;
import dev.trench.bus.middleware.Steps.Work;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsMiddlewareTest {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final MetricsMiddleware metrics = new MetricsMiddleware(registry);

    /** A command whose handler takes the given (mock) time, then does what its name says. */
    record Act(String what, long millis) implements Command<String> {
    }

    private final CommandSpec<Act> act = CommandSpec.of(Act.class, "test.act")
            .handler((Act a, HandlerContext<String> ctx) -> {
                clock.add(a.millis(), TimeUnit.MILLISECONDS);
                switch (a.what()) {
                    case "reject" -> throw new CommandRejectedException("bid-too-low", "below the highest bid");
                    case "invalid" -> throw new InvalidCommandException("amount", "must be positive");
                    case "fail" -> throw new IllegalStateException("store down");
                    default -> ctx.result("ok");
                }
            })
            .build();

    private Timer timer(String command, String outcome) {
        return registry.get(TrenchMeters.COMMANDS).tag(TrenchMeters.TAG_COMMAND, command)
                .tag(TrenchMeters.TAG_OUTCOME, outcome).timer();
    }

    @Test
    void eachDispatchIsTimedWithTheRegistryClockByCommandAndOutcome() {
        CommandBus bus = CommandBus.builder().register(act).append(metrics).build();

        bus.dispatch(new Act("succeed", 7));
        bus.dispatch(new Act("succeed", 3));
        bus.dispatch(new Act("reject", 1));
        bus.dispatch(new Act("invalid", 1));
        bus.dispatch(new Act("fail", 5));

        assertThat(timer("test.act", "success").count()).isEqualTo(2);
        assertThat(timer("test.act", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10.0);
        assertThat(timer("test.act", "rejected").count()).isEqualTo(2);
        assertThat(timer("test.act", "failure").count()).isEqualTo(1);
        assertThat(timer("test.act", "failure").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(5.0);
        assertThat(timer("test.act", "accepted").count()).isZero();
    }

    @Test
    void aCommandHandedToAWorkerIsTimedAsAcceptedAndTheInFlightGaugeFollowsTheAsyncMiddleware() {
        record Bid(String auction) implements Command<Accepted> {
        }
        CommandSpec<Bid> bid = CommandSpec.of(Bid.class, "auction.raise-bid")
                .handler((Bid b, HandlerContext<Accepted> ctx) -> { })
                .capability(HandledAsynchronously.by("auction-worker"))
                .build();
        ManualSender sender = new ManualSender();
        AsyncMiddleware async = AsyncMiddleware.builder().sender("auction-worker", sender).build();
        metrics.bindInFlight(async::inFlight);
        CommandBus bus = CommandBus.builder().register(bid).append(metrics).append(async).build();

        CompletableFuture<Accepted> result = bus.dispatch(new Bid("A1")).toCompletableFuture();
        assertThat(registry.get(TrenchMeters.ASYNC_IN_FLIGHT).gauge().value()).isEqualTo(1.0);
        clock.add(ofMillis(4));
        sender.ack(0);

        assertThat(result).isCompleted();
        assertThat(registry.get(TrenchMeters.ASYNC_IN_FLIGHT).gauge().value()).isZero();
        assertThat(timer("auction.raise-bid", "accepted").count()).isEqualTo(1);
        assertThat(timer("auction.raise-bid", "accepted").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4.0);
    }

    @Test
    void asAListenerOfTheRetryMiddlewareItCountsRetriesAndDeadLetters() {
        ManualScheduler scheduler = new ManualScheduler();
        Steps steps = new Steps().failAlways(2, w -> new IllegalStateException("down"));
        CommandBus bus = CommandBus.builder()
                .register(steps.spec("test.work", RetryOnFail.upTo(2).withDelay(RetryDelay.fixed(ofMillis(10)))))
                .append(metrics)
                .append(RetryMiddleware.builder().scheduler(scheduler).listener(metrics)
                        .deadLetterSink(new InMemoryDeadLetterStore()).build())
                .build();

        bus.dispatch(new Work("a"));
        bus.dispatch(new Work("b"));
        scheduler.advance(ofMillis(10));
        scheduler.advance(ofMillis(10));

        assertThat(registry.get(TrenchMeters.RETRIES).tag(TrenchMeters.TAG_COMMAND, "test.work").counter().count())
                .isEqualTo(4.0);
        assertThat(registry.get(TrenchMeters.DEAD_LETTERS).tag(TrenchMeters.TAG_COMMAND, "test.work").counter()
                .count()).isEqualTo(2.0);
        assertThat(timer("test.work", "failure").count()).isEqualTo(2);
    }

    @Test
    void asAPublicationListenerOfTheEventsMiddlewareItCountsPublishedAndFailedEvents() {
        Steps steps = new Steps();
        int[] calls = {0};
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(EventsMiddleware.builder().publicationListener(metrics).publisher(event -> {
                    if (++calls[0] == 2) {
                        return CompletableFuture.failedFuture(new IllegalStateException("no route"));
                    }
                    return CompletableFuture.completedFuture(null);
                }).build())
                .build();

        try (LogCapture log = LogCapture.of(EventsMiddleware.class)) {
            bus.dispatchAndWait(new Work("w"));
            assertThat(log.messages()).hasSize(1);
        }

        assertThat(registry.get(TrenchMeters.EVENTS_PUBLISHED).tag(TrenchMeters.TAG_COMMAND, "test.work")
                .tag(TrenchMeters.TAG_OUTCOME, "success").counter().count()).isEqualTo(2.0);
        assertThat(registry.get(TrenchMeters.EVENTS_PUBLISHED).tag(TrenchMeters.TAG_COMMAND, "test.work")
                .tag(TrenchMeters.TAG_OUTCOME, "failure").counter().count()).isEqualTo(1.0);
    }

    @Test
    void everyMeterIsNamedInTrenchMetersAndNoTagIsAnId() {
        ManualScheduler scheduler = new ManualScheduler();
        Steps steps = new Steps().failNext(2, new IllegalStateException("once"));
        AsyncMiddleware async = AsyncMiddleware.builder().build();
        metrics.bindInFlight(async::inFlight);
        CommandBus bus = CommandBus.builder()
                .register(act)
                .register(steps.spec("test.work", RetryOnFail.upTo(1).withDelay(RetryDelay.none())))
                .append(metrics)
                .append(EventsMiddleware.builder().publicationListener(metrics).publisher(new RecordingPublisher())
                        .build())
                .append(async)
                .append(RetryMiddleware.builder().scheduler(scheduler).listener(metrics).build())
                .build();
        bus.dispatch(new Act("succeed", 1));
        bus.dispatch(new Act("fail", 1));
        bus.dispatch(new Work("w"));
        scheduler.runDue();

        Set<String> names = Set.of(TrenchMeters.COMMANDS, TrenchMeters.RETRIES, TrenchMeters.DEAD_LETTERS,
                TrenchMeters.EVENTS_PUBLISHED, TrenchMeters.ASYNC_IN_FLIGHT);
        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter -> {
            Meter.Id id = meter.getId();
            assertThat(names).contains(id.getName());
            assertThat(id.getTags()).extracting(Tag::getKey)
                    .allMatch(k -> k.equals(TrenchMeters.TAG_COMMAND) || k.equals(TrenchMeters.TAG_OUTCOME));
            assertThat(id.getTags()).extracting(Tag::getValue).noneMatch(v -> UUID.matcher(v).find());
        });
        assertThat(registry.getMeters()).extracting(m -> m.getId().getName()).contains(TrenchMeters.COMMANDS,
                TrenchMeters.RETRIES, TrenchMeters.DEAD_LETTERS, TrenchMeters.EVENTS_PUBLISHED,
                TrenchMeters.ASYNC_IN_FLIGHT);
    }
}
