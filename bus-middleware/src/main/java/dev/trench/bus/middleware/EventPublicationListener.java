package dev.trench.bus.middleware;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.spi.EventEnvelope;

/**
 * Told by the {@link EventsMiddleware} how the publication of each domain event went. Both methods default to doing
 * nothing; an exception thrown by a listener is logged and ignored. {@link MetricsMiddleware} implements it to count
 * publications and publication failures.
 */
public interface EventPublicationListener {

    /** The publisher accepted the event (its stage completed normally). */
    default void published(CommandSpec<?> spec, EventEnvelope<?> event) {
    }

    /**
     * The publisher could not take the event. The command still succeeded: its handlers' effects happened.
     *
     * @param error the publisher's exception
     */
    default void publishFailed(CommandSpec<?> spec, EventEnvelope<?> event, Throwable error) {
    }
}
