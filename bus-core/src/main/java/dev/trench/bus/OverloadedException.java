package dev.trench.bus;

/**
 * The command was refused at once because a bounded queue or in-flight limit is full. Nothing was queued; the caller
 * may retry later (a transport answers 503 with {@code Retry-After}).
 */
public class OverloadedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String message) {
        super(message);
    }
}
