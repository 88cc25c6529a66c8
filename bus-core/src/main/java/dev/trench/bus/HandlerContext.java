package dev.trench.bus;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What a handler can see and do while it handles a command. One context exists per dispatch and is shared by the
 * command's handlers, in order.
 *
 * <h2>The result</h2>
 * The command's result is the last value set with {@link #result(Object)} by any of its handlers. A handler that has
 * nothing to add does not call it; a later handler may read the value set by an earlier one with
 * {@link #currentResult()} and replace it. When no handler sets a value the result is {@code null}.
 *
 * @param <R> the command's result type
 */
public interface HandlerContext<R> {

    /** The envelope of the attempt being handled: ids, attempt number, headers. */
    Envelope<?> envelope();

    /** Sets (or replaces) the command's result. */
    void result(R value);

    /** The result set so far by earlier handlers of this dispatch, or {@code null}. */
    @Nullable R currentResult();

    /**
     * Records a domain event (e.g. {@code AuctionRaised}). Recorded events are published through the
     * {@link EventPublisher} only after every handler of the command succeeded; never when the command fails.
     */
    void record(Object event);

    /** Events recorded so far in this dispatch, in order. */
    List<Object> recordedEvents();

    /**
     * Dispatches another command as a consequence of this one. The child carries this command's correlation id and
     * has this command's id as its causation id. Calling {@link CommandBus#dispatch(Command)} from inside a handler
     * does the same.
     */
    <T> CompletionStage<T> dispatch(Command<T> command);

    /** The bus clock; handlers use it instead of {@code Instant.now()} so that tests can control time. */
    Clock clock();
}
