package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.Futures.failure;
import static java.time.Duration.ofMillis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.trench.bus.CommandBus;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.UnknownCommandException;
import dev.trench.bus.middleware.Steps.Work;
import dev.trench.bus.spi.AttemptFailure;
import dev.trench.bus.spi.DeadLetter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class InMemoryDeadLetterStoreTest {
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());

    private static DeadLetter letter(String name) {
        MessageId id = IDS.get();
        Envelope<Work> envelope = Envelope.of(new Work(name), id, id, null, AT.toEpochMilli()).withAttempt(3)
                .withResumeAt(1);
        return new DeadLetter(envelope, "test.work", List.of(new AttemptFailure(1, AT,
                new IllegalStateException(name + " failed"))), AT);
    }

    @Test
    void itListsDeadLettersOldestFirstAndFindsAndRemovesThemByCommandId() {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
        DeadLetter a = letter("a");
        DeadLetter b = letter("b");

        store.accept(a);
        store.accept(b);

        assertThat(store.list()).containsExactly(a, b);
        assertThat(store.find(b.envelope().commandId())).containsSame(b);
        assertThat(store.remove(a.envelope().commandId())).containsSame(a);
        assertThat(store.find(a.envelope().commandId())).isEmpty();
        assertThat(store.remove(a.envelope().commandId())).isEmpty();
        assertThat(store.list()).containsExactly(b);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void whenFullTheOldestIsDroppedWithAWarningNamingIt() {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore(2);
        DeadLetter a = letter("a");
        DeadLetter b = letter("b");
        DeadLetter c = letter("c");

        try (LogCapture log = LogCapture.of(InMemoryDeadLetterStore.class)) {
            store.accept(a);
            store.accept(b);
            store.accept(c);

            assertThat(log.at(Level.WARN)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("full (2 dead letters)").contains(a.envelope().commandId().toString()));
        }
        assertThat(store.list()).containsExactly(b, c);
    }

    @Test
    void aCommandDeadLetteredAgainReplacesItsEarlierEntry() {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
        DeadLetter first = letter("a");
        DeadLetter other = letter("b");
        DeadLetter again = new DeadLetter(first.envelope(), "test.work", first.failures(), AT.plusSeconds(60));

        store.accept(first);
        store.accept(other);
        store.accept(again);

        assertThat(store.list()).containsExactly(other, again);
    }

    @Test
    void concurrentDeadLettersAreAllKeptUpToTheCapacity() throws Exception {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore(1_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try (LogCapture log = LogCapture.atLevel(InMemoryDeadLetterStore.class.getName(), Level.ERROR)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        store.accept(letter("x"));
                        store.list();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.size()).isEqualTo(1_000);
        assertThat(store.list()).doesNotHaveDuplicates();
    }

    @Test
    void aRedispatchedDeadLetterGoesThroughItsRetryPolicyAndResumesAtTheHandlerThatFailed() {
        ManualScheduler scheduler = new ManualScheduler();
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
        Steps steps = new Steps().failNext(2, new IllegalStateException("1"), new IllegalStateException("2"));
        CommandBus bus = CommandBus.builder()
                .register(steps.spec("test.work", RetryOnFail.upTo(1).withDelay(RetryDelay.fixed(ofMillis(10)))))
                .append(RetryMiddleware.builder().scheduler(scheduler).deadLetterSink(store).build())
                .build();
        CompletableFuture<String> original = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(10));
        assertThat(failure(original)).hasMessage("2");
        DeadLetter letter = store.list().get(0);
        MessageId id = letter.envelope().commandId();
        assertThat(letter.envelope().resumeAt()).isEqualTo(1);

        steps.failNext(2, new IllegalStateException("3"));
        CompletableFuture<Object> again = store.redispatch(id, bus).toCompletableFuture();

        assertThat(store.find(id)).isEmpty();
        assertThat(again).isNotDone();
        assertThat(scheduler.pendingDelays()).containsExactly(ofMillis(10));
        scheduler.advance(ofMillis(10));
        assertThat(again).isCompletedWithValue("done:w");
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1", "h2#2", "h2#1", "h2#2", "h3#2");
        assertThat(steps.runs(1)).isEqualTo(1);
        assertThat(steps.runs(3)).isEqualTo(1);
        List<Envelope<?>> redispatched = steps.envelopes().subList(3, 6);
        assertThat(redispatched).extracting(Envelope::commandId).containsOnly(id);
        assertThat(redispatched).extracting(Envelope::attempt).containsExactly(1, 2, 2);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aRedispatchThatFailsItsRetriesAgainIsDeadLetteredAgain() {
        ManualScheduler scheduler = new ManualScheduler();
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
        Steps steps = new Steps().failAlways(3, w -> new IllegalStateException("still down"));
        CommandBus bus = CommandBus.builder()
                .register(steps.spec("test.work", RetryOnFail.upTo(1).withDelay(RetryDelay.none())))
                .append(RetryMiddleware.builder().scheduler(scheduler).deadLetterSink(store).build())
                .build();
        bus.dispatch(new Work("w"));
        scheduler.runDue();
        MessageId id = store.list().get(0).envelope().commandId();

        CompletableFuture<Object> again = store.redispatch(id, bus).toCompletableFuture();
        scheduler.runDue();

        assertThat(failure(again)).hasMessage("still down");
        assertThat(store.list()).singleElement().satisfies(l -> {
            assertThat(l.envelope().commandId()).isEqualTo(id);
            assertThat(l.envelope().resumeAt()).isEqualTo(2);
            assertThat(l.failures()).hasSize(2);
        });
        assertThat(steps.runs(1)).isEqualTo(1);
        assertThat(steps.runs(2)).isEqualTo(1);
        assertThat(steps.runs(3)).isEqualTo(4);
    }

    @Test
    void redispatchingAnUnknownIdFailsAndABusThatDoesNotKnowTheCommandKeepsTheDeadLetter() {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
        DeadLetter a = letter("a");
        store.accept(a);
        CommandBus other = CommandBus.builder().build();

        assertThat(failure(store.redispatch(IDS.get(), other))).isInstanceOf(NoSuchElementException.class)
                .hasMessageStartingWith("No dead letter for command id ");
        assertThat(failure(store.redispatch(a.envelope().commandId(), other)))
                .isInstanceOf(UnknownCommandException.class);
        assertThat(store.list()).containsExactly(a);
    }

    @Test
    void theCapacityMustBePositive() {
        assertThatThrownBy(() -> new InMemoryDeadLetterStore(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: must be >= 1, was 0");
    }
}
