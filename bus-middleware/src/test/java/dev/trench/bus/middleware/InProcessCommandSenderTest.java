package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.MessageId;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessCommandSenderTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());

    /** A job for the worker bus. */
    record Job(String name) implements Command<Void> {
    }

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicInteger handled = new AtomicInteger();
    private final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    private final List<Envelope<?>> seen = Collections.synchronizedList(new ArrayList<>());
    private final List<InProcessCommandSender> toClose = new ArrayList<>();

    @AfterEach
    void closeSenders() {
        release.countDown();
        toClose.forEach(InProcessCommandSender::close);
    }

    /** "block" waits for {@link #release}; "bad" throws; others just count. */
    private final CommandSpec<Job> spec = CommandSpec.of(Job.class, "test.job")
            .handler((Job job, HandlerContext<Void> ctx) -> {
                threads.add(Thread.currentThread().getName());
                seen.add(ctx.envelope());
                if (job.name().startsWith("block")) {
                    started.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                if (job.name().startsWith("bad")) {
                    throw new IllegalStateException("job " + job.name() + " failed");
                }
                handled.incrementAndGet();
            })
            .build();

    private final CommandBus workerBus = CommandBus.builder().register(spec).build();

    private InProcessCommandSender.Builder sender() {
        return InProcessCommandSender.builder("billing-worker", () -> workerBus)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private InProcessCommandSender open(InProcessCommandSender.Builder builder) {
        InProcessCommandSender sender = builder.build();
        toClose.add(sender);
        return sender;
    }

    private static Envelope<Job> envelope(String name) {
        MessageId id = IDS.get();
        return Envelope.of(new Job(name), id, id, null, NOW.toEpochMilli());
    }

    @Test
    void sendAcknowledgesOnceTheCommandIsQueuedBeforeItIsHandled() throws InterruptedException {
        InProcessCommandSender sender = open(sender());
        Envelope<Job> envelope = envelope("block-1");

        CompletableFuture<Accepted> ack = sender.send(spec, envelope).toCompletableFuture();

        assertThat(ack).isCompletedWithValue(new Accepted(envelope.commandId(), "billing-worker", "in-process", NOW));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(handled).hasValue(0);
        assertThat(sender.inFlight()).isEqualTo(1);
        release.countDown();
        await().until(() -> sender.inFlight() == 0);
        assertThat(handled).hasValue(1);
    }

    @Test
    void whenTheQueueIsFullSendFailsAtOnceWithOverloadedAndQueuesNothing() throws InterruptedException {
        InProcessCommandSender sender = open(sender().threads(1).queueCapacity(1));
        sender.send(spec, envelope("block-1"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        sender.send(spec, envelope("queued"));

        Envelope<Job> refused = envelope("refused");
        Throwable error = failure(sender.send(spec, refused));

        assertThat(error).isInstanceOf(OverloadedException.class)
                .hasMessageContaining(refused.commandId().toString())
                .hasMessageContaining("the in-process queue of worker 'billing-worker' is full (1 queued, capacity 1)");
        assertThat(sender.inFlight()).isEqualTo(2);
        release.countDown();
        await().until(() -> sender.inFlight() == 0);
        assertThat(handled).hasValue(2);
        assertThat(seen).extracting(e -> ((Job) e.command()).name()).containsExactly("block-1", "queued");
    }

    @Test
    void aFailureAfterTheAckIsLoggedWithTheCommandIdAndGivenToTheErrorHookAndTheWorkerCarriesOn() {
        List<String> hooked = Collections.synchronizedList(new ArrayList<>());
        InProcessCommandSender sender = open(sender().threads(1)
                .onError((envelope, error) -> hooked.add(envelope.commandId() + " " + error.getMessage())));
        Envelope<Job> bad = envelope("bad-1");

        try (LogCapture log = LogCapture.of(InProcessCommandSender.class)) {
            assertThat(sender.send(spec, bad).toCompletableFuture()).isCompleted();
            await().until(() -> sender.inFlight() == 0);
            sender.send(spec, envelope("good"));
            await().until(() -> handled.get() == 1);

            assertThat(hooked).containsExactly(bad.commandId() + " job bad-1 failed");
            assertThat(log.at(Level.ERROR)).singleElement().satisfies(e -> {
                assertThat(e.getFormattedMessage()).contains("test.job").contains(bad.commandId().toString())
                        .contains("job bad-1 failed");
                assertThat(e.getThrowableProxy().getMessage()).isEqualTo("job bad-1 failed");
            });
        }
        assertThat(threads).containsExactly("trench-billing-worker-1", "trench-billing-worker-1");
    }

    @Test
    void anErrorHookThatThrowsDoesNotStopTheWorker() {
        InProcessCommandSender sender = open(sender().threads(1).onError((envelope, error) -> {
            throw new IllegalStateException("hook bug");
        }));

        try (LogCapture log = LogCapture.of(InProcessCommandSender.class)) {
            sender.send(spec, envelope("bad-1"));
            sender.send(spec, envelope("good"));
            await().until(() -> handled.get() == 1 && sender.inFlight() == 0);

            assertThat(log.at(Level.WARN)).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("error hook"));
        }
    }

    @Test
    void workerThreadsAreNamedAndAreNotDaemonThreadsByDefault() throws InterruptedException {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        CommandSpec<Job> meet = CommandSpec.of(Job.class, "test.meet")
                .handler((Job job, HandlerContext<Void> ctx) -> {
                    workers.add(Thread.currentThread());
                    bothRunning.countDown();
                    try {
                        bothRunning.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .build();
        CommandBus bus = CommandBus.builder().register(meet).build();
        InProcessCommandSender sender = open(InProcessCommandSender.builder("billing-worker", () -> bus).threads(2)
                .threadNamePrefix("billing"));

        sender.send(meet, envelope("a"));
        sender.send(meet, envelope("b"));

        assertThat(bothRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(workers).extracting(Thread::getName).containsExactlyInAnyOrder("billing-1", "billing-2");
        assertThat(workers).noneMatch(Thread::isDaemon);
    }

    @Test
    void closeFinishesTheQueuedCommandsThenRefusesNewOnes() throws InterruptedException {
        InProcessCommandSender sender = open(sender().threads(1));
        sender.send(spec, envelope("block-1"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        sender.send(spec, envelope("two"));
        sender.send(spec, envelope("three"));

        CompletableFuture<Void> closing = CompletableFuture.runAsync(sender::close);
        await().until(() -> sender.toString().contains("closed"));
        Envelope<Job> late = envelope("late");
        Throwable refused = failure(sender.send(spec, late));
        release.countDown();
        closing.join();

        assertThat(refused).isInstanceOf(RejectedExecutionException.class)
                .hasMessage("Command test.job " + late.commandId() + " refused: the in-process sender of worker"
                        + " 'billing-worker' is closed");
        assertThat(handled).hasValue(3);
        assertThat(sender.inFlight()).isZero();
    }

    @Test
    void closeGivesUpAfterItsTimeoutAndSaysHowManyQueuedCommandsItDropped() throws InterruptedException {
        InProcessCommandSender sender = open(sender().threads(1).closeTimeout(Duration.ZERO));
        sender.send(spec, envelope("block-1"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        sender.send(spec, envelope("two"));
        sender.send(spec, envelope("three"));

        try (LogCapture log = LogCapture.of(InProcessCommandSender.class)) {
            sender.close();

            assertThat(log.at(Level.WARN)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("with 2 commands still queued; they were dropped"));
        }
        assertThat(handled).hasValue(0);
    }

    @Test
    void theDeliveredEnvelopeKeepsItsIdsAndHeadersAndNamesTheWorker() {
        InProcessCommandSender sender = open(sender());
        MessageId id = IDS.get();
        MessageId correlation = IDS.get();
        MessageId causation = IDS.get();
        Envelope<Job> envelope = Envelope.builder(new Job("j")).commandId(id).correlationId(correlation)
                .causationId(causation).createdAt(NOW).headers(Map.of("traceparent", "00-abc-def-01")).build();

        sender.send(spec, envelope);
        await().until(() -> handled.get() == 1);

        Envelope<?> delivered = seen.get(0);
        assertThat(delivered.commandId()).isEqualTo(id);
        assertThat(delivered.correlationId()).isEqualTo(correlation);
        assertThat(delivered.causationId()).isEqualTo(causation);
        assertThat(delivered.headers()).containsEntry("traceparent", "00-abc-def-01")
                .containsEntry(AsyncMiddleware.DELIVERED_TO, "billing-worker");
    }

    @Test
    void aCommandWaitingForARetryOnTheTargetBusStillCountsAsInFlight() {
        ManualScheduler scheduler = new ManualScheduler();
        Steps steps = new Steps().failNext(2, new IllegalStateException("down"));
        CommandSpec<Steps.Work> work = steps.spec("test.work",
                RetryOnFail.upTo(1).withDelay(RetryDelay.fixed(Duration.ofSeconds(1))));
        CommandBus bus = CommandBus.builder().register(work)
                .append(RetryMiddleware.builder().scheduler(scheduler).build()).build();
        InProcessCommandSender sender = open(InProcessCommandSender.builder("w", () -> bus));
        MessageId id = IDS.get();

        sender.send(work, Envelope.of(new Steps.Work("x"), id, id, null, NOW.toEpochMilli()));
        await().until(() -> scheduler.pending() == 1);

        assertThat(sender.inFlight()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(sender.inFlight()).isZero();
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1", "h2#2", "h3#2");
    }

    @Test
    void theBuilderRefusesBadValuesNamingTheField() {
        assertThatThrownBy(() -> InProcessCommandSender.builder(" ", () -> workerBus))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("worker: must name a worker service, was ' '");
        assertThatThrownBy(() -> sender().threads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads: must be >= 1, was 0");
        assertThatThrownBy(() -> sender().queueCapacity(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity: must be >= 1, was -5");
        assertThatThrownBy(() -> sender().closeTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("closeTimeout: must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> sender().threadNamePrefix(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threadNamePrefix: must not be blank, was ''");
    }
}
