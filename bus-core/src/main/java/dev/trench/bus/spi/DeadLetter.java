package dev.trench.bus.spi;

import dev.trench.bus.Envelope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A command that failed its last allowed attempt: the envelope of that attempt (its {@code resumeAt} says which
 * handler failed) and every attempt's failure.
 *
 * <p>Dispatching the envelope again resumes at the handler that failed. Domain events recorded by the handlers that
 * had already succeeded are not kept: record events in the last handler of a command (as the auction example's
 * {@code NotifyParticipants} does) so that a resumed command publishes them.
 *
 * @param envelope      the envelope of the last attempt
 * @param commandName   the command's logical name
 * @param failures      one entry per attempt, in order
 * @param deadLetteredAt when it was given up
 */
public record DeadLetter(Envelope<?> envelope, String commandName, List<AttemptFailure> failures,
        Instant deadLetteredAt) {
    public DeadLetter {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(commandName, "commandName");
        failures = List.copyOf(failures);
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
    }

    /** The failure of the last attempt. */
    public Throwable lastError() {
        return failures.get(failures.size() - 1).error();
    }
}
