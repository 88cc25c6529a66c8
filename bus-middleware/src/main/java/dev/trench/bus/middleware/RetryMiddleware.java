package dev.trench.bus.middleware;

import dev.trench.bus.BootCheck;
import dev.trench.bus.Capability;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.Middleware;
import dev.trench.bus.MiddlewareContractException;
import dev.trench.bus.Outcome;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.UnknownCommandException;
import dev.trench.bus.middleware.internal.RetryDelays;
import dev.trench.bus.middleware.internal.SafeListeners;
import dev.trench.bus.middleware.internal.Stages;
import dev.trench.bus.spi.AttemptFailure;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.DeadLetter;
import dev.trench.bus.spi.DeadLetterSink;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Honours {@link RetryOnFail}: a command whose handler fails with a retryable exception is tried again, at most
 * {@code maxRetries} times, waiting {@code delay.delayFor(n)} before retry {@code n}. Built on Resilience4j's
 * {@link Retry} (one per command type); the waits are scheduled on the configured
 * {@link ScheduledExecutorService}, so no thread blocks while a command waits.
 *
 * <pre>{@code
 * RetryMiddleware retry = RetryMiddleware.builder()
 *         .scheduler(scheduler)
 *         .deadLetterSink(deadLetters)
 *         .override("auction.raise-bid", RetryOnFail.upTo(5).withDelay(RetryDelay.fixed(ofMillis(20))))
 *         .listener(metrics)
 *         .build();
 * }</pre>
 *
 * <h2>A retry resumes at the handler that failed</h2>
 * Attempt 1 proceeds with the envelope received. Retry {@code n} proceeds with
 * {@code envelope.withAttempt(n + 1).withResumeAt(chain.handlersCompleted())}: the handlers that already succeeded for
 * this command are not run again, so that, say, a retried bid is not rejected by its own earlier success.
 *
 * <h2>Which failures are retried</h2>
 * Those the configured predicate accepts; by default ({@link #defaultRetryable()}) every exception except
 * {@link InvalidCommandException}, {@link CommandRejectedException}, {@link UnknownCommandException} and
 * {@link MiddlewareContractException}: trying those again gives the same answer. {@link dev.trench.bus.OverloadedException}
 * is retried: it means "later", which is what a backoff does. Whatever the predicate says, an
 * {@code InvalidCommandException} (a validation failure) and an {@link Error} are never retried.
 *
 * <h2>When it gives up</h2>
 * A non-retryable failure fails the dispatch at once with that exception and is <em>not</em> dead-lettered: it is the
 * command's answer (a rejection, a validation error), and sending it again would give the same answer. After the last
 * allowed attempt of a retryable failure, a {@link DeadLetter} (the last attempt's envelope, with {@code resumeAt} set
 * to the handler that failed last, and every attempt's {@link AttemptFailure}) goes to the {@link DeadLetterSink}, the
 * listeners hear {@code deadLettered}, and the dispatch fails with the last attempt's own exception. When a retry
 * cannot be scheduled (the scheduler was shut down), the command is dead-lettered with the failures so far.
 *
 * <h2>Threads</h2>
 * A retry runs the handlers on a thread of the scheduler, with the MDC the command had when its first attempt failed.
 * Give the scheduler as many threads as retries you want to run at once.
 *
 * <p>Place it innermost (after async): see {@link StandardMiddleware}.
 */
public final class RetryMiddleware implements Middleware {
    private static final Logger LOG = LoggerFactory.getLogger(RetryMiddleware.class);

    /** The default of {@link Builder#maxDelay(Duration)}: one minute. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(1);

    private static final Predicate<Throwable> DEFAULT_RETRYABLE = new Predicate<>() {
        @Override
        public boolean test(Throwable t) {
            return !(t instanceof InvalidCommandException || t instanceof CommandRejectedException
                    || t instanceof UnknownCommandException || t instanceof MiddlewareContractException);
        }

        @Override
        public String toString() {
            return "everything except InvalidCommandException, CommandRejectedException, UnknownCommandException,"
                    + " MiddlewareContractException";
        }
    };

    /** Marks a spec that has no policy in {@link #policies}. */
    private static final Policy NONE = new Policy(new RetryOnFail(0, dev.trench.bus.RetryDelay.none()), null);

    private final ScheduledExecutorService scheduler;
    private final Predicate<Throwable> retryable;
    private final Map<String, RetryOnFail> overrides;
    private final long maxDelayMillis;
    private final DeadLetterSink deadLetterSink;
    private final SafeListeners listeners;
    private final Clock clock;
    private final Map<CommandSpec<?>, Policy> policies = new ConcurrentHashMap<>();

    private RetryMiddleware(Builder b) {
        this.scheduler = b.scheduler;
        this.retryable = b.retryable;
        this.overrides = Map.copyOf(b.overrides);
        this.maxDelayMillis = b.maxDelay.toMillis();
        this.deadLetterSink = b.deadLetterSink != null ? b.deadLetterSink : new LoggingDeadLetterSink();
        this.listeners = new SafeListeners(List.copyOf(b.listeners));
        this.clock = b.clock;
    }

    /** Starts a configuration; a scheduler is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default predicate of retryable failures: everything except {@link InvalidCommandException},
     * {@link CommandRejectedException}, {@link UnknownCommandException} and {@link MiddlewareContractException}.
     */
    public static Predicate<Throwable> defaultRetryable() {
        return DEFAULT_RETRYABLE;
    }

    /**
     * The policy in force for a command: the configuration's override for its name, else its declared
     * {@link RetryOnFail}, else none (it is tried once).
     */
    public Optional<RetryOnFail> policyFor(CommandSpec<?> spec) {
        RetryOnFail override = overrides.get(spec.name());
        return override != null ? Optional.of(override) : spec.capability(RetryOnFail.class);
    }

    @Override
    public Set<Class<? extends Capability>> honours() {
        return Set.of(RetryOnFail.class);
    }

    @Override
    public boolean mayProceedMoreThanOnce() {
        return true;
    }

    /** Reports overrides naming no registered command, and prepares the retry of every command that has a policy. */
    @Override
    public void check(BootCheck boot) {
        Set<String> names = new TreeSet<>();
        for (CommandSpec<?> spec : boot.commands()) {
            names.add(spec.name());
            policy(spec);
        }
        for (String name : new TreeSet<>(overrides.keySet())) {
            if (!names.contains(name)) {
                boot.problem(name() + " has a retry override for command '" + name + "', but no registered command"
                        + " has that name; registered: " + names);
            }
        }
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        Policy policy = policy(chain.spec());
        if (policy.retry == null) {
            return chain.proceed(chain.envelope());
        }
        // Fast path: the first attempt runs directly; Resilience4j takes over only when it did not succeed at once.
        CompletionStage<Outcome> first = Run.firstAttempt(chain);
        if (first instanceof CompletableFuture<Outcome> done && done.isDone() && !done.isCompletedExceptionally()) {
            return done;
        }
        Run run = new Run(chain, policy, first);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        CompletionStage<Outcome> attempts;
        try {
            attempts = policy.retry.executeCompletionStage(scheduler, run);
        } catch (RuntimeException e) {
            attempts = CompletableFuture.failedFuture(e);
        }
        attempts.whenComplete((outcome, error) -> {
            if (error == null) {
                result.complete(outcome);
                return;
            }
            Throwable failure = Stages.unwrap(error);
            if (failure instanceof AttemptFailed failed) {
                if (failed.retryable) {
                    run.deadLetter(null);
                }
                result.completeExceptionally(failed.error);
            } else if (run.failures.isEmpty()) {
                result.completeExceptionally(failure);
            } else {
                run.deadLetter(failure);
                result.completeExceptionally(run.failures.get(run.failures.size() - 1).error());
            }
        });
        return result;
    }

    private Policy policy(CommandSpec<?> spec) {
        Policy known = policies.get(spec); // prepared at boot; no capturing lambda on the hot path
        return known != null ? known
                : policies.computeIfAbsent(spec, s -> policyFor(s).map(p -> newPolicy(s, p)).orElse(NONE));
    }

    private Policy newPolicy(CommandSpec<?> spec, RetryOnFail values) {
        int maxAttempts = values.maxRetries() == Integer.MAX_VALUE ? Integer.MAX_VALUE : values.maxRetries() + 1;
        RetryConfig config = RetryConfig.<Outcome>custom()
                .maxAttempts(maxAttempts)
                .retryOnException(t -> t instanceof AttemptFailed failed && failed.retryable)
                .intervalBiFunction((Integer retry, io.github.resilience4j.core.functions.Either<Throwable, Outcome>
                        either) -> either.isLeft() && either.getLeft() instanceof AttemptFailed failed
                        ? failed.run.beforeRetry(failed) : -1L)
                .build();
        return new Policy(values, Retry.of(spec.name(), config));
    }

    private boolean isRetryable(Throwable error) {
        if (error instanceof InvalidCommandException || error instanceof Error) {
            return false;
        }
        try {
            return retryable.test(error);
        } catch (RuntimeException e) {
            LOG.warn("The retryable predicate {} threw for {}; not retrying", retryable, error, e);
            return false;
        }
    }

    @Override
    public String toString() {
        return "RetryMiddleware{overrides=" + new TreeSet<>(overrides.keySet()) + ", maxDelay="
                + Duration.ofMillis(maxDelayMillis) + ", retryable=" + retryable + "}";
    }

    /** A command type's policy and its Resilience4j retry ({@code null} for {@link #NONE}). */
    private record Policy(RetryOnFail values, @Nullable Retry retry) {
    }

    /**
     * The failure of one attempt as Resilience4j sees it: it carries the run, so that the interval function (shared by
     * every dispatch of a command type) can compute the next envelope and notify listeners. Never leaves this class.
     */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;

        final transient Run run;
        final Throwable error;
        final boolean retryable;

        AttemptFailed(Run run, Throwable error, boolean retryable) {
            super(null, null, false, false);
            this.run = run;
            this.error = error;
            this.retryable = retryable;
        }
    }

    /**
     * One dispatch through this middleware: supplies each attempt. Its fields are touched by one attempt at a time;
     * each attempt starts after the previous one's failure was recorded (the scheduler hands over with a
     * happens-before edge).
     */
    private final class Run implements Supplier<CompletionStage<Outcome>> {
        private final Chain chain;
        private final Policy policy;
        private @Nullable CompletionStage<Outcome> firstStage;
        final List<AttemptFailure> failures = new ArrayList<>(2);
        private Envelope<?> current;
        private @Nullable Envelope<?> next;
        private @Nullable Map<String, String> mdc;
        private int attempt;

        Run(Chain chain, Policy policy, CompletionStage<Outcome> firstStage) {
            this.chain = chain;
            this.policy = policy;
            this.current = chain.envelope();
            this.firstStage = firstStage;
        }

        /** Attempt 1, made before any retry machinery exists (the common case: it succeeds). */
        static CompletionStage<Outcome> firstAttempt(Chain chain) {
            try {
                return chain.proceed(chain.envelope());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<Outcome> get() {
            Envelope<?> envelope = next != null ? next : chain.envelope();
            int number = ++attempt;
            current = envelope;
            next = null;
            CompletionStage<Outcome> stage;
            Map<String, String> previousMdc = null;
            boolean restoreMdc = number > 1 && mdc != null;
            if (restoreMdc) {
                previousMdc = MDC.getCopyOfContextMap();
                MDC.setContextMap(mdc);
            }
            try {
                if (number == 1 && firstStage != null) {
                    stage = firstStage; // made by handle() before Resilience4j took over
                    firstStage = null;
                } else {
                    stage = chain.proceed(envelope);
                }
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            } finally {
                if (restoreMdc) {
                    if (previousMdc == null) {
                        MDC.clear();
                    } else {
                        MDC.setContextMap(previousMdc);
                    }
                }
            }
            CompletableFuture<Outcome> out = new CompletableFuture<>();
            stage.whenComplete((outcome, error) -> {
                if (error == null) {
                    out.complete(outcome);
                    return;
                }
                Throwable failure = Stages.unwrap(error);
                failures.add(new AttemptFailure(number, clock.instant(), failure));
                out.completeExceptionally(new AttemptFailed(this, failure, isRetryable(failure)));
            });
            return out;
        }

        /** Called by Resilience4j's interval function when it will retry: the envelope and wait of the next try. */
        long beforeRetry(AttemptFailed failed) {
            int retry = attempt;
            long delay = RetryDelays.clampedMillis(policy.values.delay(), retry, maxDelayMillis);
            Envelope<?> following = current.withAttempt(attempt + 1).withResumeAt(chain.handlersCompleted());
            next = following;
            if (mdc == null) {
                Map<String, String> copy = MDC.getCopyOfContextMap();
                mdc = copy == null ? Map.of() : copy;
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("Command {} {} attempt {} failed ({}); retry {} of {} in {} ms, resuming at handler {}",
                        chain.spec().name(), current.commandId(), attempt, failed.error.toString(), retry,
                        policy.values.maxRetries(), delay, following.resumeAt());
            }
            listeners.retried(chain.spec(), following, failed.error, Duration.ofMillis(delay));
            return delay;
        }

        /** Gives the command up: to the sink, then to the listeners. */
        void deadLetter(@Nullable Throwable cannotRetry) {
            if (cannotRetry != null) {
                LOG.error("Command {} {} could not be retried after attempt {}; dead-lettering it",
                        chain.spec().name(), current.commandId(), attempt, cannotRetry);
            }
            // the last attempt may have got further than the one before: resume where it failed
            Envelope<?> last = current.resumeAt() == chain.handlersCompleted() ? current
                    : current.withResumeAt(chain.handlersCompleted());
            DeadLetter letter = new DeadLetter(last, chain.spec().name(), failures, clock.instant());
            try {
                deadLetterSink.accept(letter);
            } catch (RuntimeException e) {
                LOG.error("Dead-letter sink {} threw for command {} {}; the dead letter is lost",
                        deadLetterSink.getClass().getName(), chain.spec().name(), current.commandId(), e);
            }
            listeners.deadLettered(chain.spec(), letter);
        }
    }

    /** Configures a {@link RetryMiddleware}; each setter validates its value and names the field when it refuses. */
    public static final class Builder {
        private @Nullable ScheduledExecutorService scheduler;
        private Predicate<Throwable> retryable = DEFAULT_RETRYABLE;
        private final Map<String, RetryOnFail> overrides = new LinkedHashMap<>();
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private @Nullable DeadLetterSink deadLetterSink;
        private final List<CommandListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Where the waits before retries are scheduled, and the retries run. Required. */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * Which failures are retried; {@link #defaultRetryable()} by default. A validation failure
         * ({@link InvalidCommandException}) and an {@link Error} never are, whatever it says.
         */
        public Builder retryable(Predicate<Throwable> value) {
            this.retryable = Objects.requireNonNull(value, "retryable");
            return this;
        }

        /**
         * Replaces the policy of the command named {@code commandName} (its logical name, e.g.
         * {@code auction.raise-bid}), whether or not it declares {@link RetryOnFail}. An override naming no
         * registered command fails the bus's boot check.
         */
        public Builder override(String commandName, RetryOnFail policy) {
            if (commandName == null || commandName.isBlank()) {
                throw new IllegalArgumentException("override: the command name must not be blank, was "
                        + (commandName == null ? "null" : "'" + commandName + "'"));
            }
            Objects.requireNonNull(policy, "override: the policy for '" + commandName + "' is required");
            overrides.put(commandName, policy);
            return this;
        }

        /** {@link #override(String, RetryOnFail)} for each entry. */
        public Builder overrides(Map<String, RetryOnFail> values) {
            Objects.requireNonNull(values, "overrides");
            values.forEach(this::override);
            return this;
        }

        /**
         * The longest wait before any retry, whatever the policy says; between 0 and 24 hours; one minute by default.
         */
        public Builder maxDelay(Duration value) {
            Objects.requireNonNull(value, "maxDelay");
            if (value.isNegative() || value.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("maxDelay: must be between PT0S and PT24H, was " + value);
            }
            this.maxDelay = value;
            return this;
        }

        /** Receives the commands that failed their last attempt; a {@link LoggingDeadLetterSink} by default. */
        public Builder deadLetterSink(DeadLetterSink value) {
            this.deadLetterSink = Objects.requireNonNull(value, "deadLetterSink");
            return this;
        }

        /** Adds a listener told of retries and dead letters; one that throws is logged and ignored. */
        public Builder listener(CommandListener value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** The clock for the times in {@link AttemptFailure} and {@link DeadLetter}; system UTC by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds the middleware.
         *
         * @throws IllegalStateException when no scheduler was given
         */
        public RetryMiddleware build() {
            if (scheduler == null) {
                throw new IllegalStateException("scheduler: is required (the retries wait on it without blocking a"
                        + " thread), was null");
            }
            return new RetryMiddleware(this);
        }
    }
}
