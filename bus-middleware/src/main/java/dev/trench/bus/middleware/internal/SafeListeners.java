package dev.trench.bus.middleware.internal;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.Outcome;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.DeadLetter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@link CommandListener}s so that none can break the bus: each call is made in turn, and an exception thrown by
 * a listener is logged with the command id and ignored.
 */
public final class SafeListeners {
    private static final Logger LOG = LoggerFactory.getLogger(SafeListeners.class);

    private final CommandListener[] listeners;

    /** Calls {@code listeners} in this order. */
    public SafeListeners(List<CommandListener> listeners) {
        this.listeners = listeners.toArray(new CommandListener[0]);
    }

    /** Whether there is no listener to call. */
    public boolean isEmpty() {
        return listeners.length == 0;
    }

    /** Tells every listener {@link CommandListener#received}. */
    public void received(CommandSpec<?> spec, Envelope<?> envelope) {
        each("received", spec, envelope, l -> l.received(spec, envelope));
    }

    /** Tells every listener {@link CommandListener#succeeded}. */
    public void succeeded(CommandSpec<?> spec, Outcome outcome, Duration took) {
        each("succeeded", spec, outcome.envelope(), l -> l.succeeded(spec, outcome, took));
    }

    /** Tells every listener {@link CommandListener#failed}. */
    public void failed(CommandSpec<?> spec, Envelope<?> envelope, Throwable error, Duration took) {
        each("failed", spec, envelope, l -> l.failed(spec, envelope, error, took));
    }

    /** Tells every listener {@link CommandListener#retried}. */
    public void retried(CommandSpec<?> spec, Envelope<?> next, Throwable error, Duration delay) {
        each("retried", spec, next, l -> l.retried(spec, next, error, delay));
    }

    /** Tells every listener {@link CommandListener#deadLettered}. */
    public void deadLettered(CommandSpec<?> spec, DeadLetter deadLetter) {
        each("deadLettered", spec, deadLetter.envelope(), l -> l.deadLettered(spec, deadLetter));
    }

    private void each(String event, CommandSpec<?> spec, Envelope<?> envelope, Consumer<CommandListener> call) {
        for (CommandListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Listener {} threw from {}() for command {} {}; ignored", listener.getClass().getName(),
                        event, spec.name(), envelope.commandId(), e);
            }
        }
    }
}
