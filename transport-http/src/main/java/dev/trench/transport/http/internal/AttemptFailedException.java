package dev.trench.transport.http.internal;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a send failed before any endpoint acknowledged the command: the sender may try again, on another
 * endpoint when one is left. Never reaches the caller; the sender turns the last one into its final failure.
 */
public final class AttemptFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the attempt failed; each is safe to retry elsewhere because no endpoint acknowledged the command. */
    public enum Cause {
        /** The connection was refused: nothing listens there (a stopped pod). */
        REFUSED,
        /** The connection could not be made in time. */
        CONNECT_TIMEOUT,
        /** The host could not be resolved or reached. */
        UNREACHABLE,
        /** No answer within the request timeout. */
        TIMEOUT,
        /** The connection closed before an answer. */
        CLOSED,
        /** The endpoint answered 503 (queue full or draining). */
        OVERLOADED,
        /** Every pooled connection to the endpoint was busy for the whole request timeout. */
        POOL_EXHAUSTED,
        /** No endpoint is known for the worker service. */
        NO_ENDPOINT;

        /** The value of the {@code cause} tag. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Whether the endpoint is presumably gone and is to be skipped for a while. */
        boolean endpointDead() {
            return this == REFUSED || this == CONNECT_TIMEOUT || this == UNREACHABLE;
        }

        /** Whether it says "full" rather than "unreachable". */
        public boolean overload() {
            return this == OVERLOADED || this == POOL_EXHAUSTED;
        }
    }

    /** Why it failed. */
    private final Cause cause;
    /** The endpoint tried. */
    private final @Nullable String endpoint;

    AttemptFailedException(Cause cause, @Nullable String endpoint, String message, @Nullable Throwable underlying) {
        super(message, underlying, false, false);
        this.cause = cause;
        this.endpoint = endpoint;
    }

    /** Why it failed. */
    public Cause reason() {
        return cause;
    }

    /** The endpoint tried, or {@code null} when none was known. */
    public @Nullable String endpoint() {
        return endpoint;
    }
}
