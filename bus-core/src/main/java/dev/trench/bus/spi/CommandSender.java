package dev.trench.bus.spi;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import java.util.concurrent.CompletionStage;

/**
 * Hands a command to a worker service and reports its acknowledgement. Implemented by the transports (HTTP with ack,
 * ZeroMQ push) and by an in-process executor; used by the async middleware for commands that declare
 * {@link dev.trench.bus.HandledAsynchronously}.
 *
 * <p>The returned stage completes with {@link Accepted} once a worker accepted the command (it will handle it), and
 * exceptionally when no worker did: {@link dev.trench.bus.OverloadedException} when the sender or every worker is full,
 * another exception when no worker could be reached. A sender never resends a command after it was accepted.
 */
public interface CommandSender extends AutoCloseable {

    /**
     * Sends the envelope.
     *
     * @param spec the command's spec (its logical name is the type on the wire)
     */
    CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope);

    /**
     * Commands this sender holds for the queue-depth gauge: for a remote transport, sent and not yet acknowledged;
     * for an in-process executor, accepted and not yet handled.
     */
    default int inFlight() {
        return 0;
    }

    /** Releases connections and threads; commands not yet accepted fail. */
    @Override
    default void close() {
    }
}
