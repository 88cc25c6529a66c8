package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.Futures.failure;
import static java.time.Duration.ofMillis;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.MessageId;
import dev.trench.bus.Outcome;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.middleware.Steps.Work;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.EventEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventsMiddlewareTest {
    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final RecordingListener listener = new RecordingListener();
    private final Steps steps = new Steps();

    private EventsMiddleware.Builder events() {
        return EventsMiddleware.builder().publisher(publisher).listener(listener)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void eventsArePublishedOnlyAfterEveryHandlerSucceededInTheOrderRecorded() {
        List<Integer> publishedWhileHandler2Ran = new ArrayList<>();
        steps.duringHandler2(() -> publishedWhileHandler2Ran.add(publisher.published.size()));
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work")).append(events().build()).build();

        String result = bus.dispatchAndWait(new Work("w"));

        assertThat(result).isEqualTo("done:w");
        assertThat(publishedWhileHandler2Ran).containsExactly(0);
        assertThat(publisher.events()).containsExactly("event-h1", "event-h2", "event-h3");
    }

    @Test
    void noEventIsPublishedWhenTheLastHandlerFails() {
        IllegalStateException down = new IllegalStateException("down");
        steps.failNext(3, down);
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work")).append(events().build()).build();

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();

        assertThat(failure(result)).isSameAs(down);
        assertThat(steps.runs(1)).isEqualTo(1);
        assertThat(steps.runs(2)).isEqualTo(1);
        assertThat(publisher.published).isEmpty();
    }

    @Test
    void eachEventCarriesTheCommandsCorrelationItsIdAsCausationItsNameAndHeaders() {
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work")).append(events().build()).build();
        MessageId commandId = bus.newId();
        MessageId correlation = bus.newId();
        Envelope<Work> envelope = Envelope.builder(new Work("w")).commandId(commandId).correlationId(correlation)
                .createdAt(NOW).headers(Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                .build();

        bus.dispatch(envelope).toCompletableFuture().join();

        assertThat(publisher.published).hasSize(3).allSatisfy(e -> {
            assertThat(e.correlationId()).isEqualTo(correlation);
            assertThat(e.causationId()).isEqualTo(commandId);
            assertThat(e.commandName()).isEqualTo("test.work");
            assertThat(e.createdAt()).isEqualTo(NOW);
            assertThat(e.headers()).containsEntry("traceparent",
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        });
        List<MessageId> ids = publisher.published.stream().map(EventEnvelope::eventId).toList();
        assertThat(ids).doesNotHaveDuplicates().isSorted().doesNotContain(commandId, correlation);
    }

    @Test
    void manyEventsArePublishedInTheOrderTheyWereRecorded() {
        record Many(int count) implements Command<Void> {
        }
        CommandSpec<Many> spec = CommandSpec.of(Many.class, "test.many")
                .handler((Many m, HandlerContext<Void> ctx) -> IntStream.range(0, m.count()).forEach(ctx::record))
                .build();
        CommandBus bus = CommandBus.builder().register(spec).append(events().build()).build();

        bus.dispatchAndWait(new Many(500));

        assertThat(publisher.events()).containsExactlyElementsOf(IntStream.range(0, 500).boxed().toList());
    }

    @Test
    void eventsOfHandlersThatSucceededBeforeARetryArePublishedOnceAfterTheRetrySucceeds() {
        ManualScheduler scheduler = new ManualScheduler();
        steps.failNext(3, new IllegalStateException("once"));
        CommandBus bus = CommandBus.builder()
                .register(steps.spec("test.work", RetryOnFail.upTo(2).withDelay(RetryDelay.fixed(ofMillis(5)))))
                .append(events().build())
                .append(RetryMiddleware.builder().scheduler(scheduler).build())
                .build();

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        assertThat(publisher.published).isEmpty();
        scheduler.advance(ofMillis(5));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(publisher.events()).containsExactly("event-h1", "event-h2", "event-h3");
        assertThat(listener.calls()).containsExactly("received test.work", "succeeded test.work");
    }

    @Test
    void listenersHearReceivedBeforeTheHandlersAndSucceededOrFailedAfterThem() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CommandListener ordering = new CommandListener() {
            @Override
            public void received(CommandSpec<?> spec, Envelope<?> envelope) {
                order.add("received attempt " + envelope.attempt());
            }

            @Override
            public void succeeded(CommandSpec<?> spec, Outcome outcome, Duration took) {
                order.add("succeeded " + outcome.result());
            }

            @Override
            public void failed(CommandSpec<?> spec, Envelope<?> envelope, Throwable error, Duration took) {
                order.add("failed " + error.getMessage());
            }
        };
        steps.duringHandler2(() -> order.add("handler 2"));
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(EventsMiddleware.builder().listener(ordering).build()).build();

        bus.dispatchAndWait(new Work("w"));
        steps.failNext(3, new IllegalStateException("down"));
        bus.dispatch(new Work("x"));

        assertThat(order).containsExactly("received attempt 1", "handler 2", "succeeded done:w",
                "received attempt 1", "handler 2", "failed down");
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheDispatchNorStopTheOtherListeners() {
        CommandListener throwing = new CommandListener() {
            @Override
            public void received(CommandSpec<?> spec, Envelope<?> envelope) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void succeeded(CommandSpec<?> spec, Outcome outcome, Duration took) {
                throw new IllegalStateException("listener bug");
            }
        };
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(EventsMiddleware.builder().listener(throwing).listener(listener).publisher(publisher).build())
                .build();

        try (LogCapture log = LogCapture.of("dev.trench.bus.middleware.internal.SafeListeners")) {
            assertThat(bus.dispatchAndWait(new Work("w"))).isEqualTo("done:w");

            assertThat(log.at(Level.WARN)).hasSize(2);
        }
        assertThat(listener.calls()).containsExactly("received test.work", "succeeded test.work");
        assertThat(publisher.published).hasSize(3);
    }

    @Test
    void aPublishFailureIsLoggedAndReportedButTheCommandStillSucceedsAndTheOtherEventsArePublished() {
        AtomicInteger calls = new AtomicInteger();
        List<EventEnvelope<?>> delivered = Collections.synchronizedList(new ArrayList<>());
        List<String> reported = Collections.synchronizedList(new ArrayList<>());
        EventPublicationListener publication = new EventPublicationListener() {
            @Override
            public void published(CommandSpec<?> spec, EventEnvelope<?> event) {
                reported.add("published " + event.event());
            }

            @Override
            public void publishFailed(CommandSpec<?> spec, EventEnvelope<?> event, Throwable error) {
                reported.add("failed " + event.event() + ": " + error.getMessage());
            }
        };
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(EventsMiddleware.builder().listener(listener).publicationListener(publication)
                        .publisher(event -> {
                            int n = calls.incrementAndGet();
                            if (n == 1) {
                                throw new IllegalStateException("socket closed");
                            }
                            if (n == 2) {
                                return CompletableFuture.failedFuture(new IllegalStateException("queue full"));
                            }
                            delivered.add(event);
                            return CompletableFuture.completedFuture(null);
                        }).build())
                .build();
        MessageId id = bus.newId();

        try (LogCapture log = LogCapture.of(EventsMiddleware.class)) {
            Object result = bus.dispatch(Envelope.of(new Work("w"), id, id, null, NOW.toEpochMilli()))
                    .toCompletableFuture().join();

            assertThat(result).isEqualTo("done:w");
            assertThat(log.at(Level.ERROR)).hasSize(2).allSatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("test.work").contains(id.toString()).contains("the command succeeded regardless"));
        }
        assertThat(delivered).extracting(e -> (Object) e.event()).containsExactly("event-h3");
        assertThat(reported).containsExactly("failed event-h1: socket closed", "failed event-h2: queue full",
                "published event-h3");
        assertThat(listener.calls()).containsExactly("received test.work", "succeeded test.work");
    }

    @Test
    void withoutAPublisherRecordedEventsAreNotPublishedAndTheCommandSucceeds() {
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(EventsMiddleware.builder().listener(listener).build()).build();

        assertThat(bus.dispatchAndWait(new Work("w"))).isEqualTo("done:w");
        assertThat(listener.calls()).containsExactly("received test.work", "succeeded test.work");
    }
}
