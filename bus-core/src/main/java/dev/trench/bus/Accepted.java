package dev.trench.bus;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of a command handled asynchronously: a worker accepted it (queued it for handling), nothing more.
 * A command that declares {@link HandledAsynchronously} has {@code Accepted} as its result type, so its caller's
 * code says in its types that dispatch completes on the worker's acknowledgement, not on handling.
 *
 * @param commandId  the id of the accepted command
 * @param worker     the logical worker service that accepted it (e.g. {@code auction-worker})
 * @param endpoint   which instance accepted it (e.g. {@code 10.0.3.7:8090}, or {@code in-process})
 * @param acceptedAt when the acknowledgement arrived
 */
public record Accepted(MessageId commandId, String worker, String endpoint, Instant acceptedAt) {
    public Accepted {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
    }
}
