package dev.trench.bus.spi;

import java.util.concurrent.CompletionStage;

/**
 * Publishes domain events after a command's handlers all succeeded. Implemented by the ZeroMQ transport (to every
 * websocket node), by the testkit (recording) and by your own adapters.
 */
@FunctionalInterface
public interface EventPublisher {

    /**
     * Publishes one event. The stage completes when the event was handed to the transport (ZeroMQ has no delivery
     * acknowledgement), exceptionally when it could not be.
     */
    CompletionStage<Void> publish(EventEnvelope<?> event);
}
