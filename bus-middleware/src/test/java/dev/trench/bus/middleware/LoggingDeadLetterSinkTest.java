package dev.trench.bus.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.middleware.Steps.Work;
import dev.trench.bus.spi.AttemptFailure;
import dev.trench.bus.spi.DeadLetter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoggingDeadLetterSinkTest {

    @Test
    void writesOneErrorLineWithIdNameAttemptsAndLastErrorButNotThePayload() {
        MessageId id = MessageId.generator(Clock.systemUTC()).get();
        Instant at = Instant.parse("2025-01-01T00:00:00Z");
        Envelope<Work> envelope = Envelope.of(new Work("w", "carol@example.com"), id, id, null, at.toEpochMilli())
                .withAttempt(2).withResumeAt(1);
        DeadLetter letter = new DeadLetter(envelope, "test.work", List.of(
                new AttemptFailure(1, at, new IllegalStateException("timeout 1")),
                new AttemptFailure(2, at, new IllegalStateException("timeout 2"))), at);

        try (LogCapture log = LogCapture.of(LoggingDeadLetterSink.LOGGER_NAME)) {
            new LoggingDeadLetterSink().accept(letter);

            assertThat(log.events()).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getFormattedMessage()).isEqualTo("Dead letter: command test.work " + id + " failed 2"
                        + " attempt(s) (resume at handler 1); last error: java.lang.IllegalStateException: timeout 2");
                assertThat(e.getFormattedMessage()).doesNotContain("carol@example.com");
                assertThat(e.getThrowableProxy()).isNull();
            });
        }
    }
}
