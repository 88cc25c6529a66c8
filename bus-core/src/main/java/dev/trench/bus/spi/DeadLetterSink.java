package dev.trench.bus.spi;

/**
 * Receives commands that failed their last allowed attempt. Must not throw; a sink that fails to store a dead letter
 * should log it with the command id.
 */
@FunctionalInterface
public interface DeadLetterSink {
    void accept(DeadLetter deadLetter);
}
