package dev.trench.bus.testkit;

import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerFactory;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.AsyncMiddleware;
import dev.trench.bus.middleware.EventsMiddleware;
import dev.trench.bus.middleware.InMemoryDeadLetterStore;
import dev.trench.bus.middleware.RetryMiddleware;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A given/when/then fixture for a command's handlers, in the spirit of Axon's test fixture: no network, no threads,
 * no sleeping.
 *
 * <pre>{@code
 * CommandFixture.forCommand(RaiseBid.SPEC)
 *         .withCommands(OpenAuction.SPEC)
 *         .withHandlers(new OpenAuctionHandler(auctions), new CheckBidAmount(auctions), new RecordBid(auctions))
 *         .given(new OpenAuction("A1", new BigDecimal("10.00")))
 *         .when(new RaiseBid("A1", "alice", new BigDecimal("12.50")))
 *         .expectSuccess()
 *         .expectEvents(new BidRaised("A1", "alice", new BigDecimal("12.50")))
 *         .expectDispatched(new NotifyBidders("A1"))
 *         .expectAttempts(1);
 * }</pre>
 *
 * <h2>What it builds</h2>
 * A real {@link CommandBus} with the registered commands and the standard middleware that give a command its
 * behaviour, in the standard order: {@link EventsMiddleware} publishing to a {@link RecordingEventPublisher},
 * {@link AsyncMiddleware} (this node is every worker the commands name, so handlers run here, as on the worker),
 * {@link RetryMiddleware} on a {@link ManualScheduler} with dead letters kept in an {@link InMemoryDeadLetterStore},
 * and innermost a recorder of every attempt and every child command. The bus, the middleware and the events share
 * the fixture's {@link ManualClock}.
 *
 * <h2>Time</h2>
 * {@link Given#when(Command) when} dispatches the command and then advances the scheduler, one due time after the
 * other, until the dispatch completes: retry delays pass at once, and the clock ends at the virtual time the dispatch
 * took ({@link Then#expectElapsed(Duration)}). It fails with an {@link AssertionError} when the dispatch has not
 * completed after {@link #withMaxVirtualTime(Duration) the maximum virtual time} (24 hours by default), or when
 * nothing is scheduled that could complete it (a handler waiting for a thread or I/O outside the fixture). To step by
 * hand, use {@link Given#whenStarted(Command) whenStarted} and {@link #scheduler()}.
 *
 * <h2>Phases</h2>
 * Setup ({@code with...}) returns this fixture; {@link #given(Command[]) given} returns {@link Given}, whose only
 * moves are {@code when}/{@code whenStarted}; {@code when} returns {@link Then}, whose {@code expect...} methods
 * chain. A fixture runs one {@code when}: make one per test.
 *
 * @param <C> the command under test
 * @param <R> its result type
 */
public final class CommandFixture<C extends Command<R>, R> {
    /** The default of {@link #withMaxVirtualTime(Duration)}. */
    public static final Duration DEFAULT_MAX_VIRTUAL_TIME = Duration.ofHours(24);

    private final CommandSpec<C> spec;
    private final List<CommandSpec<?>> specs = new ArrayList<>();
    private final Map<Class<?>, CommandHandler<?, ?>> handlers = new LinkedHashMap<>();
    private HandlerFactory handlerFactory = HandlerFactory.reflective();
    private Duration maxVirtualTime = DEFAULT_MAX_VIRTUAL_TIME;

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingEventPublisher publisher = new RecordingEventPublisher();
    private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    private final AttemptRecorder recorder = new AttemptRecorder();
    private @Nullable CommandBus bus;
    private boolean whenUsed;

    private CommandFixture(CommandSpec<C> spec) {
        this.spec = spec;
        specs.add(spec);
    }

    /**
     * Starts a fixture for the command of {@code spec}: its handlers, capabilities and retry policy as declared.
     *
     * @param <C> the command type
     * @param <R> its result type
     */
    public static <C extends Command<R>, R> CommandFixture<C, R> forCommand(CommandSpec<C> spec) {
        return new CommandFixture<>(Objects.requireNonNull(spec, "spec"));
    }

    // setup

    /**
     * Registers more commands, for the {@code given} phase or for child commands the handlers dispatch; they run
     * through the same bus, for real.
     */
    public CommandFixture<C, R> withCommands(CommandSpec<?>... more) {
        requireSetup("withCommands");
        for (CommandSpec<?> s : more) {
            specs.add(Objects.requireNonNull(s, "spec"));
        }
        return this;
    }

    /**
     * Creates the handlers the specs declare by class (those given as instances are used as is); by default with
     * their public no-argument constructor. Handlers given to {@link #withHandlers} take precedence.
     */
    public CommandFixture<C, R> withHandlerFactory(HandlerFactory factory) {
        requireSetup("withHandlerFactory");
        this.handlerFactory = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /**
     * Uses these instances for the handler classes the specs declare, matched by their exact class: build them with
     * the test's repositories and clients. A class declared in no spec is refused when the bus is built.
     */
    public CommandFixture<C, R> withHandlers(CommandHandler<?, ?>... instances) {
        requireSetup("withHandlers");
        for (CommandHandler<?, ?> h : instances) {
            Objects.requireNonNull(h, "handler");
            if (handlers.putIfAbsent(h.getClass(), h) != null) {
                throw new IllegalArgumentException("withHandlers: two instances of " + h.getClass().getName()
                        + "; give one instance per handler class");
            }
        }
        return this;
    }

    /** How much virtual time {@code when} may advance before it gives up; 24 hours by default. */
    public CommandFixture<C, R> withMaxVirtualTime(Duration value) {
        requireSetup("withMaxVirtualTime");
        Objects.requireNonNull(value, "maxVirtualTime");
        if (value.isNegative()) {
            throw new IllegalArgumentException("maxVirtualTime: must not be negative, was " + value);
        }
        this.maxVirtualTime = value;
        return this;
    }

    /** The clock of the bus, the middleware and the events; starts at {@link ManualClock#DEFAULT_START}. */
    public ManualClock clock() {
        return clock;
    }

    /** The scheduler the retries wait on; advance it by hand after {@link Given#whenStarted(Command)}. */
    public ManualScheduler scheduler() {
        return scheduler;
    }

    /** Where commands that failed their last attempt go; inspect them, or dispatch them again. */
    public InMemoryDeadLetterStore deadLetters() {
        return deadLetters;
    }

    /** The bus, built at the first call (or at {@code given}/{@code when}); after it, setup is closed. */
    public CommandBus bus() {
        if (bus == null) {
            bus = build();
        }
        return bus;
    }

    // phases

    /**
     * Dispatches the commands, one after the other, each to completion (advancing virtual time as
     * {@code when} does). Each must succeed; the events they publish and the commands they dispatch are not part
     * of the expectations.
     *
     * @throws AssertionError naming the first command that fails
     */
    public Given<C, R> given(Command<?>... commands) {
        CommandBus b = bus();
        for (Command<?> command : commands) {
            Objects.requireNonNull(command, "given command");
            Instant start = clock.instant();
            CompletableFuture<?> done = dispatch(b, rootEnvelope(b, command));
            runToCompletion(done, start, "given command " + command, null);
            Throwable failure = failureOf(done);
            if (failure != null) {
                throw new AssertionError("given command " + command + " failed: " + failure, failure);
            }
        }
        return new Given<>(this);
    }

    /** {@code given()} with no earlier commands, then {@link Given#when(Command)}. */
    public Then<R> when(C command) {
        return given().when(command);
    }

    /** {@code given()} with no earlier commands, then {@link Given#whenStarted(Command)}. */
    public Started<R> whenStarted(C command) {
        return given().whenStarted(command);
    }

    /** The phase after {@code given}: dispatch the command under test. */
    public static final class Given<C extends Command<R>, R> {
        private final CommandFixture<C, R> fixture;

        private Given(CommandFixture<C, R> fixture) {
            this.fixture = fixture;
        }

        /**
         * Dispatches the command under test and advances virtual time until its dispatch completes.
         *
         * @throws AssertionError when it does not complete within the maximum virtual time, or nothing scheduled
         *     could complete it
         */
        public Then<R> when(C command) {
            return whenStarted(command).then();
        }

        /**
         * Dispatches the command under test and returns at once, after its first attempt (which runs on this thread
         * when nothing before it waits): step through retries with {@link CommandFixture#scheduler()}, then call
         * {@link Started#then()}.
         */
        public Started<R> whenStarted(C command) {
            return fixture.start(Objects.requireNonNull(command, "command"));
        }
    }

    /** A dispatch of the command under test that may still be waiting for a retry. */
    public static final class Started<R> {
        private final CommandFixture<?, R> fixture;
        private final Envelope<?> envelope;
        private final CompletableFuture<R> done;
        private final Instant start;
        private final int recorderMark;
        private volatile @Nullable Instant completedAt;
        private @Nullable Then<R> then;

        private Started(CommandFixture<?, R> fixture, Envelope<?> envelope, CompletableFuture<R> done,
                Instant start, int recorderMark) {
            this.fixture = fixture;
            this.envelope = envelope;
            this.done = done;
            this.start = start;
            this.recorderMark = recorderMark;
            done.whenComplete((result, error) -> completedAt = fixture.clock.instant());
        }

        /** Whether the dispatch has completed (succeeded or failed). */
        public boolean isDone() {
            return done.isDone();
        }

        /** The attempts made so far: 1 for the first, then one more per retry. */
        public int attempts() {
            return fixture.recorder.attempts(envelope.commandId(), recorderMark);
        }

        /** The envelope the command was dispatched with (its command id, correlation id, ...). */
        public Envelope<?> envelope() {
            return envelope;
        }

        /**
         * Advances virtual time until the dispatch completes (nothing when it has) and returns the expectations.
         *
         * @throws AssertionError when it does not complete within the maximum virtual time measured from the start
         *     of the dispatch, or nothing scheduled could complete it
         */
        public Then<R> then() {
            if (then == null) {
                fixture.runToCompletion(done, start, "the command under test " + envelope.command(), this);
                then = new Then<>(this, failureOf(done));
            }
            return then;
        }
    }

    /** Expectations about the dispatch of the command under test. Each fails with an {@link AssertionError}. */
    public static final class Then<R> {
        private final Started<R> started;
        private final @Nullable Throwable failure;
        private final Duration elapsed;

        private Then(Started<R> started, @Nullable Throwable failure) {
            this.started = started;
            this.failure = failure;
            this.elapsed = Duration.between(started.start, Objects.requireNonNull(started.completedAt));
        }

        /** The dispatch succeeded. */
        public Then<R> expectSuccess() {
            if (failure != null) {
                throw new AssertionError("expected " + command() + " to succeed, but it failed after "
                        + attempts() + " attempt(s) with " + failure, failure);
            }
            return this;
        }

        /** The dispatch succeeded with this result ({@code equals}). */
        public Then<R> expectResult(@Nullable R expected) {
            expectSuccess();
            R actual = started.done.join();
            if (!Objects.equals(expected, actual)) {
                throw new AssertionError("expected " + command() + " to produce\n  " + expected + "\nbut it produced\n  "
                        + actual);
            }
            return this;
        }

        /** The dispatch succeeded and its result passes the check (e.g. AssertJ assertions). */
        public Then<R> expectResultSatisfying(Consumer<? super R> check) {
            expectSuccess();
            check.accept(started.done.join());
            return this;
        }

        /** The dispatch failed with an exception of this type (the handler's own exception, not a wrapper). */
        public Then<R> expectException(Class<? extends Throwable> type) {
            if (failure == null) {
                throw new AssertionError("expected " + command() + " to fail with " + type.getName()
                        + ", but it succeeded with " + resultText());
            }
            if (!type.isInstance(failure)) {
                throw new AssertionError("expected " + command() + " to fail with " + type.getName()
                        + ", but it failed with " + failure, failure);
            }
            return this;
        }

        /** The dispatch failed with a {@link CommandRejectedException} with this reason (e.g. {@code bid-too-low}). */
        public Then<R> expectRejected(String reason) {
            expectException(CommandRejectedException.class);
            String actual = ((CommandRejectedException) failure).reason();
            if (!actual.equals(reason)) {
                throw new AssertionError("expected " + command() + " to be rejected with reason '" + reason
                        + "', but the reason was '" + actual + "' (" + failure.getMessage() + ")", failure);
            }
            return this;
        }

        /**
         * Exactly these domain events were published while the command ran, in this order ({@code equals}): the
         * events its handlers recorded, and those of the child commands it dispatched.
         */
        public Then<R> expectEvents(Object... expected) {
            List<Object> actual = events();
            if (!actual.equals(Arrays.asList(expected))) {
                throw new AssertionError("expected the events\n  " + Arrays.asList(expected) + "\nbut "
                        + (actual.isEmpty() ? "none were published" : "the published events were\n  " + actual)
                        + failureNote());
            }
            return this;
        }

        /** The published events (as {@link #expectEvents}) pass the check, e.g. for events with generated ids. */
        public Then<R> expectEventsSatisfying(Consumer<? super List<Object>> check) {
            check.accept(events());
            return this;
        }

        /** No domain event was published. */
        public Then<R> expectNoEvents() {
            return expectEvents();
        }

        /**
         * Exactly these child commands were dispatched by the handlers while the command ran, in dispatch order
         * ({@code equals}); none when called without arguments. A handler run again by a retry dispatches its
         * children again.
         */
        public Then<R> expectDispatched(Command<?>... expected) {
            List<Command<?>> actual = started.fixture.recorder.children(started.recorderMark);
            if (!actual.equals(Arrays.asList(expected))) {
                throw new AssertionError("expected the handlers to dispatch\n  " + Arrays.asList(expected) + "\nbut "
                        + (actual.isEmpty() ? "they dispatched nothing" : "they dispatched\n  " + actual)
                        + failureNote());
            }
            return this;
        }

        /** The command failed its last allowed attempt and went to the dead-letter store. */
        public Then<R> expectDeadLettered() {
            if (started.fixture.deadLetters.find(started.envelope.commandId()).isEmpty()) {
                throw new AssertionError("expected " + command() + " to be dead-lettered, but it was not; it "
                        + (failure == null ? "succeeded" : "failed with " + failure) + " after " + attempts()
                        + " attempt(s) (only a retryable failure after the last retry is dead-lettered)");
            }
            return this;
        }

        /** The command was not dead-lettered. */
        public Then<R> expectNotDeadLettered() {
            if (started.fixture.deadLetters.find(started.envelope.commandId()).isPresent()) {
                throw new AssertionError("expected " + command() + " not to be dead-lettered, but it was after "
                        + attempts() + " attempt(s), last failure: " + failure, failure);
            }
            return this;
        }

        /** The handlers were attempted this many times: 1, plus one per retry. */
        public Then<R> expectAttempts(int expected) {
            int actual = attempts();
            if (actual != expected) {
                throw new AssertionError("expected " + expected + " attempt(s) of " + command() + ", but there were "
                        + actual + failureNote());
            }
            return this;
        }

        /**
         * The dispatch took this much virtual time, from its start to its completion: the sum of the retry delays it
         * waited (and any time the handlers moved the clock by).
         */
        public Then<R> expectElapsed(Duration expected) {
            if (!elapsed.equals(expected)) {
                throw new AssertionError("expected " + command() + " to take " + expected + " of virtual time, but it"
                        + " took " + elapsed + " (" + attempts() + " attempt(s))");
            }
            return this;
        }

        private List<Object> events() {
            return started.fixture.publisher.payloads();
        }

        private int attempts() {
            return started.attempts();
        }

        private Object command() {
            return started.envelope.command();
        }

        private String resultText() {
            return String.valueOf(started.done.join());
        }

        private String failureNote() {
            return failure == null ? "" : "\n(the command failed with " + failure + ")";
        }
    }

    // internals

    private Started<R> start(C command) {
        if (whenUsed) {
            throw new IllegalStateException("A CommandFixture runs one when(...); create a new fixture per test");
        }
        whenUsed = true;
        CommandBus b = bus();
        publisher.clear();
        int mark = recorder.mark();
        Instant start = clock.instant();
        Envelope<C> envelope = rootEnvelope(b, command);
        CompletableFuture<R> done = dispatch(b, envelope);
        return new Started<>(this, envelope, done, start, mark);
    }

    private static <T extends Command<?>> Envelope<T> rootEnvelope(CommandBus bus, T command) {
        MessageId id = bus.newId();
        return Envelope.of(command, id, id, null, bus.clock().millis());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> CompletableFuture<T> dispatch(CommandBus bus, Envelope<?> envelope) {
        CompletionStage<T> stage;
        try {
            stage = bus.dispatch((Envelope) envelope);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stage.toCompletableFuture();
    }

    private void runToCompletion(CompletableFuture<?> done, Instant start, String what,
            @Nullable Started<?> started) {
        while (!done.isDone()) {
            scheduler.runDueTasks();
            if (done.isDone()) {
                return;
            }
            List<ManualScheduler.PendingTask> pending = scheduler.pendingTasks();
            String attempts = started == null ? "" : " after " + started.attempts() + " attempt(s)";
            if (pending.isEmpty()) {
                throw new AssertionError(what + " has not completed" + attempts + " and nothing is scheduled that"
                        + " could complete it: does a handler wait for a thread or I/O outside the fixture?");
            }
            Duration next = Duration.between(start, pending.get(0).dueAt());
            if (next.compareTo(maxVirtualTime) > 0) {
                throw new AssertionError(what + " has not completed within " + maxVirtualTime
                        + " of virtual time" + attempts + "; the next scheduled task is due at +" + next
                        + ". Raise withMaxVirtualTime(...) or check the retry policy");
            }
            scheduler.advanceToNextTask();
        }
    }

    private static @Nullable Throwable failureOf(CompletableFuture<?> done) {
        try {
            done.join();
            return null;
        } catch (CompletionException e) {
            Throwable t = e;
            while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        } catch (CancellationException e) {
            return e;
        }
    }

    private void requireSetup(String method) {
        if (bus != null) {
            throw new IllegalStateException(method + ": the fixture's bus is already built; configure the fixture"
                    + " before given/when");
        }
    }

    private CommandBus build() {
        Set<String> workers = new LinkedHashSet<>();
        for (CommandSpec<?> s : specs) {
            s.capability(HandledAsynchronously.class).ifPresent(a -> workers.add(a.worker()));
        }
        CommandBus.Builder builder = CommandBus.builder()
                .name("command-fixture")
                .clock(clock)
                .handlerFactory(new InstanceFirstFactory(handlers, handlerFactory))
                .append(EventsMiddleware.builder().publisher(publisher).clock(clock).build())
                .append(AsyncMiddleware.builder().localWorkers(workers).build())
                .append(RetryMiddleware.builder().scheduler(scheduler).deadLetterSink(deadLetters).clock(clock)
                        .build())
                .append(recorder);
        specs.forEach(builder::register);
        return builder.build();
    }

    /** Hands out the test's instances by exact class, and creates the others with the configured factory. */
    private static final class InstanceFirstFactory implements HandlerFactory {
        private final Map<Class<?>, CommandHandler<?, ?>> instances;
        private final HandlerFactory fallback;

        InstanceFirstFactory(Map<Class<?>, CommandHandler<?, ?>> instances, HandlerFactory fallback) {
            this.instances = Map.copyOf(instances);
            this.fallback = fallback;
        }

        @Override
        public <H> H create(Class<H> handlerType) {
            Object instance = instances.get(handlerType);
            return instance != null ? handlerType.cast(instance) : fallback.create(handlerType);
        }
    }

    /**
     * The innermost link: sees every attempt of every command (the retry middleware proceeds once per attempt) and
     * records it, so the fixture can count attempts and list the child commands.
     */
    private static final class AttemptRecorder implements Middleware {
        private final List<Envelope<?>> attempts = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Outcome> handle(Chain chain) {
            attempts.add(chain.envelope());
            return chain.proceed(chain.envelope());
        }

        int mark() {
            return attempts.size();
        }

        int attempts(MessageId commandId, int from) {
            int n = 0;
            for (Envelope<?> e : since(from)) {
                if (e.commandId().equals(commandId)) {
                    n++;
                }
            }
            return n;
        }

        /** Commands dispatched from handlers since {@code from}: one per dispatch (its first attempt). */
        List<Command<?>> children(int from) {
            List<Command<?>> children = new ArrayList<>();
            for (Envelope<?> e : since(from)) {
                if (e.causationId() != null && e.attempt() == 1) {
                    children.add(e.command());
                }
            }
            return children;
        }

        private List<Envelope<?>> since(int from) {
            List<Envelope<?>> all = new ArrayList<>(attempts);
            return all.subList(Math.min(from, all.size()), all.size());
        }

        @Override
        public String name() {
            return "CommandFixture.AttemptRecorder";
        }
    }
}
