package dev.trench.bus.internal;

import dev.trench.bus.Command;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.Outcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The state of one dispatch, in one object to keep allocation low: the future the caller holds, the context the
 * handlers see, and the outcome the chain passes back. Attempts of the same dispatch (retries) share it: recorded events
 * and the count of completed handlers carry over, so that a retry resumes at the handler that failed.
 */
final class Dispatch extends CompletableFuture<Object>
        implements HandlerContext<Object>, Outcome, BiConsumer<Outcome, Throwable> {

    /** The dispatch whose handlers run on the current thread, for child commands. */
    static final ThreadLocal<Dispatch> CURRENT = new ThreadLocal<>();

    final DefaultCommandBus bus;
    final Route route;
    private Envelope<?> envelope;
    private @Nullable Object result;
    private @Nullable ArrayList<Object> events;
    private @Nullable List<Object> eventsView;
    private volatile int handlersCompleted;

    Dispatch(DefaultCommandBus bus, Route route, Envelope<?> envelope) {
        this.bus = bus;
        this.route = route;
        this.envelope = envelope;
        this.handlersCompleted = envelope.resumeAt();
    }

    int handlersCompleted() {
        return handlersCompleted;
    }

    /** Runs the handlers from {@code attempt.resumeAt()} on; the last link of the chain. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    @Nullable Throwable runHandlers(Envelope<?> attempt) {
        CommandHandler[] handlers = route.handlers;
        if (handlers == null) {
            return new IllegalStateException("Command " + route.spec.name() + " is handled elsewhere, but reached the"
                    + " end of the chain on bus '" + bus.name() + "': no middleware took it");
        }
        this.envelope = attempt;
        Command command = attempt.command();
        Dispatch previous = CURRENT.get();
        CURRENT.set(this);
        try {
            for (int i = attempt.resumeAt(); i < handlers.length; i++) {
                int eventsBefore = events == null ? 0 : events.size();
                Object resultBefore = result;
                try {
                    handlers[i].handle(command, this);
                } catch (Throwable t) {
                    // a failed handler leaves no trace: its retry records its events and result afresh
                    if (events != null) {
                        events.subList(eventsBefore, events.size()).clear();
                    }
                    result = resultBefore;
                    return t;
                }
                handlersCompleted = i + 1;
            }
            return null;
        } finally {
            // set(null), not remove(): the thread keeps its map entry, so the next dispatch allocates nothing here
            CURRENT.set(previous);
        }
    }

    CompletionStage<Outcome> terminal(Envelope<?> attempt) {
        Throwable failure = runHandlers(attempt);
        return failure == null ? CompletableFuture.completedFuture(this) : CompletableFuture.failedFuture(failure);
    }

    /** Completes the caller's future from the chain's outcome. */
    @Override
    public void accept(@Nullable Outcome outcome, @Nullable Throwable error) {
        if (error != null) {
            completeExceptionally(unwrap(error));
        } else if (outcome == null) {
            completeExceptionally(new IllegalStateException("the chain completed without an outcome"));
        } else {
            complete(outcome.result());
        }
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // HandlerContext

    @Override
    public Envelope<?> envelope() {
        return envelope;
    }

    @Override
    public void result(@Nullable Object value) {
        this.result = value;
    }

    @Override
    public @Nullable Object currentResult() {
        return result;
    }

    @Override
    public void record(Object event) {
        if (event == null) {
            throw new NullPointerException("event");
        }
        if (events == null) {
            events = new ArrayList<>(2);
            eventsView = Collections.unmodifiableList(events);
        }
        events.add(event);
    }

    @Override
    public List<Object> recordedEvents() {
        List<Object> view = eventsView;
        return view == null ? List.of() : view;
    }

    @Override
    public <T> CompletionStage<T> dispatch(Command<T> command) {
        return bus.dispatchChild(command, envelope);
    }

    @Override
    public Clock clock() {
        return bus.clock();
    }

    // Outcome

    @Override
    public @Nullable Object result() {
        return result;
    }

    @Override
    public List<Object> events() {
        return recordedEvents();
    }
}
