package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.LoggingMiddleware.MDC_COMMAND_ID;
import static dev.trench.bus.middleware.LoggingMiddleware.MDC_COMMAND_TYPE;
import static dev.trench.bus.middleware.LoggingMiddleware.MDC_CORRELATION_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.AsyncMiddlewareTest.ManualSender;
import dev.trench.bus.middleware.Steps.Work;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LoggingMiddlewareTest {
    private final Steps steps = new Steps();
    private final LogCapture log = LogCapture.of(LoggingMiddleware.LOGGER_NAME);

    @AfterEach
    void cleanUp() {
        log.close();
        MDC.clear();
    }

    private CommandBus bus(LoggingMiddleware logging) {
        return CommandBus.builder().register(steps.spec("test.work")).append(logging).build();
    }

    private static Envelope<Work> envelope(CommandBus bus, Work work) {
        MessageId id = bus.newId();
        return Envelope.builder(work).commandId(id).correlationId(bus.newId()).createdAt(Instant.now()).build();
    }

    @Test
    void theMdcHoldsTheCommandsIdsWhileItsHandlersRunAndThePreviousValuesAfterwards() {
        List<Map<String, String>> seen = Collections.synchronizedList(new ArrayList<>());
        steps.duringHandler2(() -> seen.add(new HashMap<>(MDC.getCopyOfContextMap())));
        CommandBus bus = bus(LoggingMiddleware.create());
        Envelope<Work> envelope = envelope(bus, new Work("w"));
        MDC.put(MDC_COMMAND_ID, "outer-command");
        MDC.put("requestId", "r-1");

        bus.dispatch(envelope).toCompletableFuture().join();

        assertThat(seen).singleElement().satisfies(mdc -> assertThat(mdc)
                .containsEntry(MDC_COMMAND_ID, envelope.commandId().toString())
                .containsEntry(MDC_CORRELATION_ID, envelope.correlationId().toString())
                .containsEntry(MDC_COMMAND_TYPE, "test.work")
                .containsEntry("requestId", "r-1"));
        assertThat(MDC.get(MDC_COMMAND_ID)).isEqualTo("outer-command");
        assertThat(MDC.get(MDC_CORRELATION_ID)).isNull();
        assertThat(MDC.get(MDC_COMMAND_TYPE)).isNull();
        assertThat(MDC.get("requestId")).isEqualTo("r-1");
    }

    @Test
    void aChildCommandHasItsOwnIdsInTheMdcAndTheParentsComeBackAfterIt() {
        record Child(String name) implements Command<Void> {
        }
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        CommandSpec<Child> child = CommandSpec.of(Child.class, "test.child")
                .handler((Child c, HandlerContext<Void> ctx) -> trace.add("child " + MDC.get(MDC_COMMAND_TYPE) + " "
                        + MDC.get(MDC_CORRELATION_ID)))
                .build();
        record Parent(String name) implements Command<Void> {
        }
        CommandSpec<Parent> parent = CommandSpec.of(Parent.class, "test.parent")
                .handler((Parent p, HandlerContext<Void> ctx) -> {
                    trace.add("parent " + MDC.get(MDC_COMMAND_TYPE) + " " + MDC.get(MDC_CORRELATION_ID));
                    ctx.dispatch(new Child("c")).toCompletableFuture().join();
                    trace.add("parent again " + MDC.get(MDC_COMMAND_TYPE) + " " + MDC.get(MDC_COMMAND_ID));
                })
                .build();
        CommandBus bus = CommandBus.builder().register(parent).register(child).append(LoggingMiddleware.create())
                .build();
        MessageId id = bus.newId();

        bus.dispatch(Envelope.of(new Parent("p"), id, id, null, 0L)).toCompletableFuture().join();

        assertThat(trace).containsExactly("parent test.parent " + id, "child test.child " + id,
                "parent again test.parent " + id);
    }

    @Test
    void aSuccessIsOneInfoLineWithTheDurationAndTheCommandsIds() {
        CommandBus bus = bus(LoggingMiddleware.create());
        Envelope<Work> envelope = envelope(bus, new Work("w"));

        bus.dispatch(envelope).toCompletableFuture().join();

        assertThat(log.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).matches("Command test\\.work succeeded in \\d+\\.\\d\\d ms"
                    + " \\(attempt 1\\)");
            assertThat(e.getMDCPropertyMap()).containsEntry(MDC_COMMAND_ID, envelope.commandId().toString())
                    .containsEntry(MDC_CORRELATION_ID, envelope.correlationId().toString())
                    .containsEntry(MDC_COMMAND_TYPE, "test.work");
        });
    }

    @Test
    void aRejectionIsOneWarnLineWithTheReasonAndNoStackTrace() {
        steps.failNext(2, new CommandRejectedException("bid-too-low", "12.00 is not above 13.00"));
        CommandBus bus = bus(LoggingMiddleware.create());

        bus.dispatch(new Work("w"));
        steps.failNext(1, new InvalidCommandException("amount", "must be positive, was -1"));
        bus.dispatch(new Work("w"));

        assertThat(log.events()).hasSize(2).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getThrowableProxy()).isNull();
        });
        assertThat(log.messages().get(0)).matches("Command test\\.work rejected \\(bid-too-low\\): 12\\.00 is not"
                + " above 13\\.00 in \\d+\\.\\d\\d ms");
        assertThat(log.messages().get(1)).matches("Command test\\.work invalid \\(amount\\): must be positive, was -1"
                + " in \\d+\\.\\d\\d ms");
    }

    @Test
    void aFailureIsOneErrorLineWithTheException() {
        IllegalStateException down = new IllegalStateException("store down");
        steps.failNext(3, down);
        CommandBus bus = bus(LoggingMiddleware.create());

        bus.dispatch(new Work("w"));

        assertThat(log.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).matches("Command test\\.work failed in \\d+\\.\\d\\d ms:"
                    + " java\\.lang\\.IllegalStateException: store down");
            assertThat(e.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
        });
    }

    @Test
    void aCommandHandedToAWorkerIsLoggedAsAccepted() {
        record Bid(String auction) implements Command<Accepted> {
        }
        CommandSpec<Bid> bid = CommandSpec.of(Bid.class, "auction.raise-bid")
                .handler((Bid b, HandlerContext<Accepted> ctx) -> { })
                .capability(HandledAsynchronously.by("auction-worker"))
                .build();
        ManualSender sender = new ManualSender();
        CommandBus bus = CommandBus.builder().register(bid).append(LoggingMiddleware.create())
                .append(AsyncMiddleware.builder().sender("auction-worker", sender).build()).build();

        bus.dispatch(new Bid("A1"));
        sender.ack(0);

        assertThat(log.messages()).singleElement().satisfies(m -> assertThat(m)
                .matches("Command auction\\.raise-bid accepted by auction-worker at 10\\.0\\.3\\.7:8090 in"
                        + " \\d+\\.\\d\\d ms"));
    }

    @Test
    void theOutcomeLineCarriesTheMdcWhenTheOutcomeCompletesOnAnotherThread() throws Exception {
        CompletableFuture<Outcome> later = new CompletableFuture<>();
        Middleware deferring = chain -> {
            CompletionStage<Outcome> done = chain.proceed(chain.envelope());
            return done.thenCompose(o -> later.thenApply(ignored -> o));
        };
        CommandBus bus = CommandBus.builder().register(steps.spec("test.work"))
                .append(LoggingMiddleware.create()).append(deferring).build();
        Envelope<Work> envelope = envelope(bus, new Work("w"));
        ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
        try {
            CompletableFuture<String> result = bus.dispatch(envelope).toCompletableFuture();
            assertThat(log.events()).isEmpty();

            other.submit(() -> later.complete(null)).get(30, TimeUnit.SECONDS);

            assertThat(result).isCompletedWithValue("done:w");
            ILoggingEvent line = log.events().get(0);
            assertThat(line.getThreadName()).isEqualTo("other-thread");
            assertThat(line.getMDCPropertyMap()).containsEntry(MDC_COMMAND_ID, envelope.commandId().toString())
                    .containsEntry(MDC_COMMAND_TYPE, "test.work");
            assertThat(other.submit(() -> MDC.get(MDC_COMMAND_ID)).get(30, TimeUnit.SECONDS)).isNull();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void thePayloadIsNotLoggedUnlessEnabled() {
        steps.failNext(2, new IllegalStateException("down"));
        CommandBus quiet = bus(LoggingMiddleware.create());
        quiet.dispatch(new Work("w", "dave@example.com"));
        quiet.dispatch(new Work("w", "dave@example.com"));

        assertThat(log.messages()).hasSize(2).noneMatch(m -> m.contains("dave@example.com"));

        CommandBus verbose = CommandBus.builder().register(new Steps().spec("test.work"))
                .append(LoggingMiddleware.builder().logPayloads(true).build()).build();
        verbose.dispatch(new Work("w", "dave@example.com"));

        assertThat(log.messages()).hasSize(3);
        assertThat(log.messages().get(2)).endsWith(" command=Work[name=w, email=dave@example.com]");
    }

    @Test
    void theBuilderRefusesABlankLoggerName() {
        assertThatThrownBy(() -> LoggingMiddleware.builder().loggerName(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("loggerName: must not be blank, was ' '");
    }
}
