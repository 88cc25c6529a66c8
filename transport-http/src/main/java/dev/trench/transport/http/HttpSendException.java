package dev.trench.transport.http;

import org.jspecify.annotations.Nullable;

/**
 * {@link HttpCommandSender} could not have a command accepted: no endpoint of the worker service answered before the
 * attempts ran out (status 0), or a worker refused the command for good with a 4xx or 5xx other than 503 and 422.
 * Overload (every endpoint answered 503) is an {@link dev.trench.bus.OverloadedException} instead, and a business
 * refusal in sync mode (422) a {@link dev.trench.bus.CommandRejectedException}.
 */
public class HttpSendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status that refused the command, 0 when none was received. */
    private final int status;
    /** The endpoint tried last. */
    private final @Nullable String endpoint;
    /** The problem body; not serialised. */
    private final transient @Nullable Problem problem;

    /**
     * Creates the exception.
     *
     * @param message  what happened, naming the worker service and the command id
     * @param status   the HTTP status that refused the command, 0 when none was received
     * @param endpoint the endpoint that answered last ({@code host:port}), or {@code null} when none was tried
     * @param problem  the problem the worker sent, if any
     * @param cause    the last underlying failure, or {@code null}
     */
    public HttpSendException(String message, int status, @Nullable String endpoint, @Nullable Problem problem,
            @Nullable Throwable cause) {
        super(message, cause);
        this.status = status;
        this.endpoint = endpoint;
        this.problem = problem;
    }

    /** The HTTP status that refused the command; 0 when no endpoint answered. */
    public int status() {
        return status;
    }

    /** The endpoint ({@code host:port}) tried last, or {@code null} when none was known. */
    public @Nullable String endpoint() {
        return endpoint;
    }

    /** The problem body the worker answered with, or {@code null}. */
    public @Nullable Problem problem() {
        return problem;
    }
}
