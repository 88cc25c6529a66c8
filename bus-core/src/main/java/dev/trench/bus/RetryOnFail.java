package dev.trench.bus;

import java.util.Objects;

/**
 * Retry the command when a handler fails with a retryable exception: at most {@code maxRetries} times after the first
 * attempt, waiting {@code delay.delayFor(n)} before retry {@code n} (n = 1, 2, ...). A retry resumes at the handler
 * that failed. Honoured by the retry middleware, which may override the values per command type from configuration.
 *
 * @param maxRetries retries after the first attempt; 0 means a single attempt
 * @param delay      the wait before each retry, a function of the retry number
 */
public record RetryOnFail(int maxRetries, RetryDelay delay) implements Capability {
    public RetryOnFail {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries: must be >= 0, was " + maxRetries);
        }
        Objects.requireNonNull(delay, "delay");
    }

    /** Starts a declaration: {@code RetryOnFail.upTo(3).withDelay(RetryDelay.exponential(...))}. */
    public static Builder upTo(int maxRetries) {
        return new Builder(maxRetries);
    }

    /** The first half of {@link #upTo(int)}. */
    public static final class Builder {
        private final int maxRetries;

        private Builder(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public RetryOnFail withDelay(RetryDelay delay) {
            return new RetryOnFail(maxRetries, delay);
        }
    }
}
