package dev.trench.bus.middleware;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.spi.EventPublisher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An {@link EventPublisher} that keeps what it is given, in order; thread-safe. */
final class RecordingPublisher implements EventPublisher {
    final List<EventEnvelope<?>> published = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletionStage<Void> publish(EventEnvelope<?> event) {
        published.add(event);
        return CompletableFuture.completedFuture(null);
    }

    List<Object> events() {
        synchronized (published) {
            List<Object> events = new ArrayList<>();
            for (EventEnvelope<?> e : published) {
                events.add(e.event());
            }
            return events;
        }
    }
}
