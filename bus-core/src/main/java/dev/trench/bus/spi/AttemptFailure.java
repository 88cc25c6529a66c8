package dev.trench.bus.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * How one attempt of a command failed.
 *
 * @param attempt the attempt number (1 for the first)
 * @param at      when it failed
 * @param error   the handler's exception
 */
public record AttemptFailure(int attempt, Instant at, Throwable error) {
    public AttemptFailure {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(error, "error");
    }
}
