package dev.trench.bus;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a successful pass through the chain produced: the envelope of the attempt that succeeded, the command's result
 * and the domain events its handlers recorded. Failures travel as the exception that caused them (the handler's own),
 * through the {@link java.util.concurrent.CompletionStage}'s error channel.
 */
public interface Outcome {

    /** The envelope of the attempt that succeeded. */
    Envelope<?> envelope();

    /** The command's result (see {@link HandlerContext}), {@link Accepted} for a command handed to a worker. */
    @Nullable Object result();

    /** Domain events recorded by the handlers, in order; empty when the command was only accepted. */
    List<Object> events();

    /** An outcome for a command that left this node: a worker accepted it, its events are recorded over there. */
    static Outcome accepted(Envelope<?> envelope, Accepted accepted) {
        return new AcceptedOutcome(envelope, accepted);
    }

    /** The outcome {@link #accepted(Envelope, Accepted)} makes. */
    record AcceptedOutcome(Envelope<?> envelope, Accepted result) implements Outcome {
        @Override
        public List<Object> events() {
            return List.of();
        }
    }
}
