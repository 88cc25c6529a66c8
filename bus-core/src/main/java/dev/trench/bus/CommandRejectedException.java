package dev.trench.bus;

/**
 * A handler refused the command for a business reason (e.g. a bid below the current highest). The command is valid
 * but cannot be carried out now; retrying it would give the same answer, so it is never retried by default.
 *
 * <p>{@link #reason()} is a short stable code (e.g. {@code bid-too-low}) for clients and metrics; the message is for
 * people.
 */
public class CommandRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public CommandRejectedException(String reason, String message) {
        super(message);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason: is required");
        }
        this.reason = reason;
    }

    /** A short stable code, e.g. {@code bid-too-low}, {@code auction-closed}. */
    public String reason() {
        return reason;
    }
}
