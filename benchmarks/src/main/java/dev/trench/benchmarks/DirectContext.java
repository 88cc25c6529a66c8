package dev.trench.benchmarks;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The least a hand-written service needs to call the three handlers itself: an envelope with the command id, a
 * result slot and an event list. One per call, like the bus's own dispatch state.
 */
final class DirectContext implements HandlerContext<Accepted> {
    private final Envelope<?> envelope;
    private final Clock clock;
    private Accepted result;
    private ArrayList<Object> events;

    DirectContext(Envelope<?> envelope, Clock clock) {
        this.envelope = envelope;
        this.clock = clock;
    }

    @Override
    public Envelope<?> envelope() {
        return envelope;
    }

    @Override
    public void result(Accepted value) {
        result = value;
    }

    @Override
    public Accepted currentResult() {
        return result;
    }

    @Override
    public void record(Object event) {
        if (events == null) {
            events = new ArrayList<>(2);
        }
        events.add(event);
    }

    @Override
    public List<Object> recordedEvents() {
        return events == null ? List.of() : events;
    }

    @Override
    public <T> CompletionStage<T> dispatch(Command<T> command) {
        throw new UnsupportedOperationException("not used by the RaiseBid handlers");
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
