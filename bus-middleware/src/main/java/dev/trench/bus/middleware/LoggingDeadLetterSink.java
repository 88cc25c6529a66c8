package dev.trench.bus.middleware;

import dev.trench.bus.spi.DeadLetter;
import dev.trench.bus.spi.DeadLetterSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeadLetterSink} that writes one ERROR line per dead letter to the logger {@value #LOGGER_NAME}: the command
 * id, its logical name, the number of attempts, the handler it would resume at, and the last error (its
 * {@code toString}, without a stack trace, to keep it one line). The command itself is not logged: commands can carry
 * personal data. The default sink of {@link RetryMiddleware}, so that a command given up is never dropped silently.
 */
public final class LoggingDeadLetterSink implements DeadLetterSink {

    /** The logger name, for routing dead letters to their own appender. */
    public static final String LOGGER_NAME = "dev.trench.bus.deadletters";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    /** A sink logging to {@value #LOGGER_NAME}. */
    public LoggingDeadLetterSink() {
    }

    @Override
    public void accept(DeadLetter deadLetter) {
        LOG.error("Dead letter: command {} {} failed {} attempt(s) (resume at handler {}); last error: {}",
                deadLetter.commandName(), deadLetter.envelope().commandId(), deadLetter.failures().size(),
                deadLetter.envelope().resumeAt(), deadLetter.lastError().toString());
    }
}
