package dev.trench.bus.middleware;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.internal.SafeListeners;
import dev.trench.bus.middleware.internal.Stages;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.spi.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells {@link CommandListener}s about each command's lifecycle and publishes the domain events its handlers recorded.
 *
 * <h2>Lifecycle</h2>
 * {@code received} before the rest of the chain runs; {@code succeeded} or {@code failed} when it completed, with the
 * time it took (measured with {@link System#nanoTime()}). Listeners are called in the order added, on the thread that
 * completes the dispatch; one that throws is logged and ignored and never breaks the dispatch. Retries and dead
 * letters are reported by the {@link RetryMiddleware} to its own listeners.
 *
 * <h2>Domain events</h2>
 * Only after the whole chain succeeded (every handler of the command, after any retries), each of
 * {@link Outcome#events()} is wrapped in an {@link EventEnvelope} (a new time-ordered event id, the command's
 * correlation id, the command id as causation id, the command's name and headers) and handed to the
 * {@link EventPublisher}, one after the other in the order recorded; never when the command failed. The dispatch
 * completes once every event was handed over; the publisher's stages are only watched for failures.
 *
 * <p>A publication failure is logged at ERROR with the command id and told to the
 * {@link EventPublicationListener}s; the remaining events are still published, and the command still succeeds:
 * its handlers' effects have happened, so reporting a failure would make the caller retry a command that was carried
 * out. Subscribers detect the gap (e.g. by a sequence number) and resynchronise.
 */
public final class EventsMiddleware implements Middleware {
    private static final Logger LOG = LoggerFactory.getLogger(EventsMiddleware.class);

    private final SafeListeners listeners;
    private final List<EventPublicationListener> publicationListeners;
    private final @Nullable EventPublisher publisher;
    private final Clock clock;
    private final Supplier<MessageId> eventIds;

    private EventsMiddleware(Builder b) {
        this.listeners = new SafeListeners(List.copyOf(b.listeners));
        this.publicationListeners = List.copyOf(b.publicationListeners);
        this.publisher = b.publisher;
        this.clock = b.clock;
        this.eventIds = MessageId.generator(b.clock);
    }

    /** Starts a configuration; with neither listeners nor a publisher the middleware only passes commands on. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        CommandSpec<?> spec = chain.spec();
        Envelope<?> envelope = chain.envelope();
        long start = listeners.isEmpty() ? 0 : System.nanoTime(); // the clock is read only for listeners
        listeners.received(spec, envelope);
        return Stages.afterwards(chain.proceed(envelope), (outcome, error) -> {
            Duration took = listeners.isEmpty() ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start);
            if (error != null) {
                listeners.failed(spec, envelope, error, took);
                return;
            }
            if (outcome == null) {
                return;
            }
            if (publisher != null && !outcome.events().isEmpty()) {
                publish(spec, outcome);
            }
            listeners.succeeded(spec, outcome, took);
        });
    }

    private void publish(CommandSpec<?> spec, Outcome outcome) {
        Envelope<?> command = outcome.envelope();
        Instant now = clock.instant();
        for (Object event : outcome.events()) {
            EventEnvelope<Object> wrapped = new EventEnvelope<>(eventIds.get(), command.correlationId(),
                    command.commandId(), spec.name(), now, command.headers(), event);
            CompletionStage<Void> stage;
            try {
                stage = Objects.requireNonNull(publisher.publish(wrapped), "the publisher returned null");
            } catch (RuntimeException e) {
                publishFailed(spec, wrapped, e);
                continue;
            }
            stage.whenComplete((ignored, error) -> {
                if (error == null) {
                    published(spec, wrapped);
                } else {
                    publishFailed(spec, wrapped, Stages.unwrap(error));
                }
            });
        }
    }

    private void published(CommandSpec<?> spec, EventEnvelope<?> event) {
        for (EventPublicationListener l : publicationListeners) {
            try {
                l.published(spec, event);
            } catch (RuntimeException e) {
                LOG.warn("Publication listener {} threw for event {} of command {}; ignored", l.getClass().getName(),
                        event.eventId(), event.causationId(), e);
            }
        }
    }

    private void publishFailed(CommandSpec<?> spec, EventEnvelope<?> event, Throwable error) {
        LOG.error("Could not publish event {} {} of command {} {}; the command succeeded regardless: {}",
                event.event().getClass().getSimpleName(), event.eventId(), spec.name(), event.causationId(),
                error.toString(), error);
        for (EventPublicationListener l : publicationListeners) {
            try {
                l.publishFailed(spec, event, error);
            } catch (RuntimeException e) {
                LOG.warn("Publication listener {} threw for event {} of command {}; ignored", l.getClass().getName(),
                        event.eventId(), event.causationId(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "EventsMiddleware{publisher=" + (publisher == null ? "none" : publisher.getClass().getSimpleName())
                + "}";
    }

    /** Configures an {@link EventsMiddleware}. */
    public static final class Builder {
        private final List<CommandListener> listeners = new ArrayList<>();
        private final List<EventPublicationListener> publicationListeners = new ArrayList<>();
        private @Nullable EventPublisher publisher;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Adds a lifecycle listener; listeners are called in the order added. */
        public Builder listener(CommandListener value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** Adds a listener told whether each event was published. */
        public Builder publicationListener(EventPublicationListener value) {
            publicationListeners.add(Objects.requireNonNull(value, "publicationListener"));
            return this;
        }

        /** Where domain events go; without one, recorded events are not published. */
        public Builder publisher(EventPublisher value) {
            this.publisher = Objects.requireNonNull(value, "publisher");
            return this;
        }

        /** The clock for event ids and {@link EventEnvelope#createdAt()}; system UTC by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds the middleware. */
        public EventsMiddleware build() {
            return new EventsMiddleware(this);
        }
    }
}
