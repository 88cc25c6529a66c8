package dev.trench.bus.testkit;

import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.spi.EventPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link EventPublisher} that keeps every event it is given, in order, and reports each one as published. Safe to
 * share between threads.
 *
 * <pre>{@code
 * RecordingEventPublisher events = new RecordingEventPublisher();
 * ... // build the bus with the events middleware publishing to it, dispatch
 * assertThat(events.payloads()).containsExactly(new AuctionRaised("A1", new BigDecimal("12.50")));
 * }</pre>
 */
public final class RecordingEventPublisher implements EventPublisher {
    private final List<EventEnvelope<?>> events = new CopyOnWriteArrayList<>();

    /** Creates an empty publisher. */
    public RecordingEventPublisher() {
    }

    /** Records the event; the returned stage is already complete. */
    @Override
    public CompletionStage<Void> publish(EventEnvelope<?> event) {
        events.add(Objects.requireNonNull(event, "event"));
        return CompletableFuture.completedFuture(null);
    }

    /** The events published so far, with their metadata, in publication order (a snapshot). */
    public List<EventEnvelope<?>> events() {
        return List.copyOf(events);
    }

    /** The events themselves ({@link EventEnvelope#event()}), in publication order (a snapshot). */
    public List<Object> payloads() {
        List<Object> payloads = new ArrayList<>(events.size());
        for (EventEnvelope<?> e : events) {
            payloads.add(e.event());
        }
        return List.copyOf(payloads);
    }

    /** Forgets every event recorded so far. */
    public void clear() {
        events.clear();
    }

    @Override
    public String toString() {
        return "RecordingEventPublisher" + payloads();
    }
}
