package dev.trench.bus.spi;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.Outcome;
import java.time.Duration;

/**
 * Lifecycle events of commands: received, succeeded, failed, retried, dead-lettered. Every method defaults to doing
 * nothing. Listeners are called on the dispatching thread; an exception thrown by a listener is logged and ignored, it
 * never breaks the bus.
 */
public interface CommandListener {

    /** A command entered the chain (once per dispatch, not per attempt). */
    default void received(CommandSpec<?> spec, Envelope<?> envelope) {
    }

    /** The dispatch succeeded. */
    default void succeeded(CommandSpec<?> spec, Outcome outcome, Duration took) {
    }

    /** The dispatch failed (after its retries, if any). */
    default void failed(CommandSpec<?> spec, Envelope<?> envelope, Throwable error, Duration took) {
    }

    /** An attempt failed and the command will be retried after {@code delay} with envelope {@code next}. */
    default void retried(CommandSpec<?> spec, Envelope<?> next, Throwable error, Duration delay) {
    }

    /** The command failed its last allowed attempt and went to the dead-letter sink. */
    default void deadLettered(CommandSpec<?> spec, DeadLetter deadLetter) {
    }
}
