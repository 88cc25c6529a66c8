package dev.trench.bus.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole standard stack on one bus that is also its own in-process worker, dispatched from 8 threads at once:
 * every result, every meter, every event and every dead letter is counted exactly.
 */
class StandardStackConcurrencyTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 2_000;
    private static final int TOTAL = THREADS * PER_THREAD;

    /** Handled on this node; fails once when seq % 10 == 0, is rejected when seq % 50 == 7, poison when seq % 500 == 3. */
    record Deposit(int seq) implements Command<String> {
    }

    /** Handled asynchronously by the in-process worker "jobs". */
    record Notify(int seq) implements Command<Accepted> {
    }

    private static boolean isNotify(int seq) {
        return seq % 4 == 1;
    }

    private static boolean failsOnce(int seq) {
        return seq % 10 == 0;
    }

    private static boolean rejected(int seq) {
        return seq % 50 == 7;
    }

    private static boolean poison(int seq) {
        return seq % 500 == 3;
    }

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    private final AtomicReference<CommandBus> self = new AtomicReference<>();
    private final InProcessCommandSender worker = InProcessCommandSender.builder("jobs", self::get).threads(4)
            .queueCapacity(TOTAL).build();

    @AfterEach
    void stop() {
        worker.close();
        scheduler.shutdownNow();
        callers.shutdownNow();
    }

    @Test
    void manyThreadsDispatchingThroughTheFullStackGetExactResultsAndExactCounts() throws Exception {
        AtomicInteger firstHandlerRuns = new AtomicInteger();
        AtomicInteger notified = new AtomicInteger();
        Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
        CommandSpec<Deposit> deposit = CommandSpec.of(Deposit.class, "bank.deposit")
                .handler((Deposit d, HandlerContext<String> ctx) -> {
                    firstHandlerRuns.incrementAndGet();
                    ctx.record("deposited-" + d.seq());
                })
                .handler((Deposit d, HandlerContext<String> ctx) -> {
                    if (failsOnce(d.seq()) && failedOnce.add(d.seq())) {
                        throw new IllegalStateException("transient " + d.seq());
                    }
                    if (rejected(d.seq())) {
                        throw new CommandRejectedException("limit", "over the limit " + d.seq());
                    }
                    if (poison(d.seq())) {
                        throw new IllegalStateException("poison " + d.seq());
                    }
                    ctx.record("settled-" + d.seq());
                    ctx.result("ok-" + d.seq());
                })
                .capability(RetryOnFail.upTo(2).withDelay(RetryDelay.none()))
                .build();
        CommandSpec<Notify> notify = CommandSpec.of(Notify.class, "bank.notify")
                .handler((Notify n, HandlerContext<Accepted> ctx) -> {
                    notified.incrementAndGet();
                    ctx.record("notified-" + n.seq());
                })
                .capability(HandledAsynchronously.by("jobs"))
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingPublisher publisher = new RecordingPublisher();
        RecordingListener listener = new RecordingListener();
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore(TOTAL);
        CommandBus.Builder builder = CommandBus.builder().register(deposit).register(notify);
        StandardMiddleware.builder()
                .meterRegistry(registry)
                .events(e -> e.publisher(publisher).listener(listener))
                .async(a -> a.localWorker("jobs").sender("jobs", worker))
                .retry(r -> r.scheduler(scheduler).deadLetterSink(deadLetters))
                .build()
                .forEach(builder::append);
        CommandBus bus = builder.build();
        self.set(bus);

        List<CompletableFuture<?>> results = new ArrayList<>(TOTAL);
        for (int i = 0; i < TOTAL; i++) {
            results.add(null);
        }
        CountDownLatch start = new CountDownLatch(1);
        try (LogCapture log = LogCapture.atLevel(LoggingMiddleware.LOGGER_NAME, Level.ERROR)) {
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t * PER_THREAD;
                threads.add(callers.submit(() -> {
                    start.await();
                    for (int seq = first; seq < first + PER_THREAD; seq++) {
                        Command<?> command = isNotify(seq) ? new Notify(seq) : new Deposit(seq);
                        results.set(seq, bus.dispatch(command).toCompletableFuture());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> thread : threads) {
                thread.get(60, TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null)
                    .get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.inFlight() == 0);

            int notifies = 0;
            int depositsOk = 0;
            int rejections = 0;
            int poisons = 0;
            int transients = 0;
            for (int seq = 0; seq < TOTAL; seq++) {
                CompletableFuture<?> result = results.get(seq);
                if (isNotify(seq)) {
                    notifies++;
                    assertThat(result.join()).isInstanceOfSatisfying(Accepted.class, a -> {
                        assertThat(a.worker()).isEqualTo("jobs");
                        assertThat(a.endpoint()).isEqualTo(InProcessCommandSender.ENDPOINT);
                    });
                } else if (rejected(seq)) {
                    rejections++;
                    assertThat(failureOf(result)).isInstanceOf(CommandRejectedException.class)
                            .hasMessage("over the limit " + seq);
                } else if (poison(seq)) {
                    poisons++;
                    assertThat(failureOf(result)).isInstanceOf(IllegalStateException.class)
                            .hasMessage("poison " + seq);
                } else {
                    depositsOk++;
                    transients += failsOnce(seq) ? 1 : 0;
                    assertThat(result.join()).isEqualTo("ok-" + seq);
                }
            }
            int deposits = TOTAL - notifies;

            assertThat(firstHandlerRuns).hasValue(deposits);
            assertThat(notified).hasValue(notifies);
            assertThat(timerCount(registry, "bank.deposit", "success")).isEqualTo(depositsOk);
            assertThat(timerCount(registry, "bank.deposit", "rejected")).isEqualTo(rejections);
            assertThat(timerCount(registry, "bank.deposit", "failure")).isEqualTo(poisons);
            assertThat(timerCount(registry, "bank.notify", "accepted")).isEqualTo(notifies);
            assertThat(timerCount(registry, "bank.notify", "success")).isEqualTo(notifies);
            assertThat(registry.get(TrenchMeters.RETRIES).tag("command", "bank.deposit").counter().count())
                    .isEqualTo(transients + 2.0 * poisons);
            assertThat(registry.get(TrenchMeters.DEAD_LETTERS).tag("command", "bank.deposit").counter().count())
                    .isEqualTo(poisons);
            assertThat(registry.get(TrenchMeters.ASYNC_IN_FLIGHT).gauge().value()).isZero();
            assertThat(deadLetters.list()).hasSize(poisons).allSatisfy(l -> {
                assertThat(l.failures()).hasSize(3);
                assertThat(l.envelope().resumeAt()).isEqualTo(1);
            });

            int expectedEvents = 2 * depositsOk + notifies;
            assertThat(publisher.published).hasSize(expectedEvents);
            assertThat(registry.get(TrenchMeters.EVENTS_PUBLISHED).tag("command", "bank.deposit")
                    .tag("outcome", "success").counter().count()).isEqualTo(2.0 * depositsOk);
            assertThat(registry.get(TrenchMeters.EVENTS_PUBLISHED).tag("command", "bank.notify")
                    .tag("outcome", "success").counter().count()).isEqualTo(notifies);
            Map<Object, Integer> position = new ConcurrentHashMap<>();
            List<Object> events = publisher.events();
            for (int i = 0; i < events.size(); i++) {
                position.put(events.get(i), i);
            }
            assertThat(position).hasSize(expectedEvents);
            for (int seq = 0; seq < TOTAL; seq++) {
                if (!isNotify(seq) && !rejected(seq) && !poison(seq)) {
                    assertThat(position.get("deposited-" + seq)).isLessThan(position.get("settled-" + seq));
                }
            }

            List<String> calls = listener.calls();
            assertThat(calls.stream().filter(c -> c.startsWith("received"))).hasSize(TOTAL + notifies);
            assertThat(calls.stream().filter(c -> c.startsWith("succeeded"))).hasSize(depositsOk + 2 * notifies);
            assertThat(calls.stream().filter(c -> c.startsWith("failed"))).hasSize(rejections + poisons);
            assertThat(log.at(Level.ERROR)).hasSize(poisons);
            assertThat(poisons).isPositive();
            assertThat(transients).isPositive();
        }
    }

    private static long timerCount(SimpleMeterRegistry registry, String command, String outcome) {
        return registry.get(TrenchMeters.COMMANDS).tag(TrenchMeters.TAG_COMMAND, command)
                .tag(TrenchMeters.TAG_OUTCOME, outcome).timer().count();
    }

    private static Throwable failureOf(CompletableFuture<?> result) {
        try {
            result.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
