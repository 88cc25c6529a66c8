package dev.trench.bus.middleware;

import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.internal.Stages;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.DeadLetter;
import dev.trench.bus.spi.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Records Micrometer meters for commands; the names and tags are listed in {@link TrenchMeters}.
 *
 * <ul>
 *   <li>As a middleware: the timer {@value TrenchMeters#COMMANDS} per command and outcome, measured with the
 *       registry's clock from entering this link to the outcome (retries included).</li>
 *   <li>As a {@link CommandListener} given to the {@link RetryMiddleware}: the counters {@value TrenchMeters#RETRIES}
 *       and {@value TrenchMeters#DEAD_LETTERS}. Its other listener methods do nothing (the timer is recorded by the
 *       middleware itself, so nothing is counted twice).</li>
 *   <li>As an {@link EventPublicationListener} given to the {@link EventsMiddleware}: the counter
 *       {@value TrenchMeters#EVENTS_PUBLISHED}.</li>
 *   <li>With {@link #bindInFlight(IntSupplier)}: the gauge {@value TrenchMeters#ASYNC_IN_FLIGHT}.</li>
 * </ul>
 *
 * <p>Meters are looked up once per command type and outcome and cached; a dispatch records without building tags.
 */
public final class MetricsMiddleware implements Middleware, CommandListener, EventPublicationListener {
    private static final int SUCCESS = 0;
    private static final int ACCEPTED = 1;
    private static final int REJECTED = 2;
    private static final int FAILURE = 3;
    private static final String[] OUTCOMES = {TrenchMeters.OUTCOME_SUCCESS, TrenchMeters.OUTCOME_ACCEPTED,
        TrenchMeters.OUTCOME_REJECTED, TrenchMeters.OUTCOME_FAILURE};

    private final MeterRegistry registry;
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    /** Records into {@code registry}. */
    public MetricsMiddleware(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Registers the gauge {@value TrenchMeters#ASYNC_IN_FLIGHT} reading {@code inFlight}, e.g.
     * {@code asyncMiddleware::inFlight} on a node that hands commands to workers, or {@code inProcessSender::inFlight}
     * to watch the queue of an in-process worker. The gauge holds a strong reference to it. A registry has one such
     * gauge: binding a second supplier to the same registry keeps the first.
     *
     * @return this
     */
    public MetricsMiddleware bindInFlight(IntSupplier inFlight) {
        Objects.requireNonNull(inFlight, "inFlight");
        Gauge.builder(TrenchMeters.ASYNC_IN_FLIGHT, inFlight, s -> s.getAsInt())
                .description("Commands handed to a worker and not yet acknowledged")
                .strongReference(true)
                .register(registry);
        return this;
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        CommandSpec<?> spec = chain.spec();
        long start = registry.config().clock().monotonicTime();
        return Stages.afterwards(chain.proceed(chain.envelope()), (outcome, error) -> {
            long took = registry.config().clock().monotonicTime() - start;
            meters(spec).timer(outcomeOf(outcome, error)).record(took, TimeUnit.NANOSECONDS);
        });
    }

    private static int outcomeOf(@Nullable Outcome outcome, @Nullable Throwable error) {
        if (error != null) {
            return error instanceof CommandRejectedException || error instanceof InvalidCommandException
                    ? REJECTED : FAILURE;
        }
        return outcome instanceof Outcome.AcceptedOutcome ? ACCEPTED : SUCCESS;
    }

    @Override
    public void retried(CommandSpec<?> spec, Envelope<?> next, Throwable error, Duration delay) {
        meters(spec).retries.increment();
    }

    @Override
    public void deadLettered(CommandSpec<?> spec, DeadLetter deadLetter) {
        meters(spec).deadLetters.increment();
    }

    @Override
    public void published(CommandSpec<?> spec, EventEnvelope<?> event) {
        meters(spec).eventsPublished(true).increment();
    }

    @Override
    public void publishFailed(CommandSpec<?> spec, EventEnvelope<?> event, Throwable error) {
        meters(spec).eventsPublished(false).increment();
    }

    private Meters meters(CommandSpec<?> spec) {
        Meters m = meters.get(spec.name());
        return m != null ? m : meters.computeIfAbsent(spec.name(), Meters::new);
    }

    @Override
    public String toString() {
        return "MetricsMiddleware{" + registry.getClass().getSimpleName() + "}";
    }

    /** The meters of one command type: timers registered eagerly, counters on first use. */
    private final class Meters {
        private final String command;
        private final Timer[] timers = new Timer[OUTCOMES.length];
        private final Counter retries;
        private final Counter deadLetters;
        private volatile @Nullable Counter published;
        private volatile @Nullable Counter publishFailures;

        Meters(String command) {
            this.command = command;
            for (int i = 0; i < OUTCOMES.length; i++) {
                timers[i] = Timer.builder(TrenchMeters.COMMANDS)
                        .description("Command dispatches, by command and outcome")
                        .tag(TrenchMeters.TAG_COMMAND, command)
                        .tag(TrenchMeters.TAG_OUTCOME, OUTCOMES[i])
                        .register(registry);
            }
            this.retries = Counter.builder(TrenchMeters.RETRIES).description("Retries of commands")
                    .tag(TrenchMeters.TAG_COMMAND, command).register(registry);
            this.deadLetters = Counter.builder(TrenchMeters.DEAD_LETTERS)
                    .description("Commands given up after their last attempt")
                    .tag(TrenchMeters.TAG_COMMAND, command).register(registry);
        }

        Timer timer(int outcome) {
            return timers[outcome];
        }

        Counter eventsPublished(boolean success) {
            Counter c = success ? published : publishFailures;
            if (c == null) {
                c = Counter.builder(TrenchMeters.EVENTS_PUBLISHED).description("Domain events handed to the publisher")
                        .tag(TrenchMeters.TAG_COMMAND, command)
                        .tag(TrenchMeters.TAG_OUTCOME, success ? TrenchMeters.OUTCOME_SUCCESS
                                : TrenchMeters.OUTCOME_FAILURE)
                        .register(registry);
                if (success) {
                    published = c;
                } else {
                    publishFailures = c;
                }
            }
            return c;
        }
    }
}
