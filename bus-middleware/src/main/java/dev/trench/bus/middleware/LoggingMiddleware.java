package dev.trench.bus.middleware;

import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.internal.Stages;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Puts the command's ids in the SLF4J {@link MDC} while the rest of the chain runs, and writes one line per outcome to
 * the logger {@value #LOGGER_NAME}.
 *
 * <h2>MDC</h2>
 * {@value #MDC_COMMAND_ID}, {@value #MDC_CORRELATION_ID} and {@value #MDC_COMMAND_TYPE} are set on the calling thread
 * while the rest of the chain runs there (handlers run synchronously, so every log line of a handler carries them), and
 * the values they had before are put back afterwards. A handler's child command sets its own ids and puts the parent's
 * back when it returns.
 *
 * <h2>One line per outcome</h2>
 * <ul>
 *   <li>INFO on success, with the duration: {@code Command auction.raise-bid succeeded in 1.23 ms (attempt 1)}, or
 *       {@code ... accepted by auction-worker at 10.0.3.7:8090 in 2.10 ms} for a command handed to a worker;</li>
 *   <li>WARN on a rejection ({@link CommandRejectedException}: its reason and message; {@link InvalidCommandException}:
 *       the field and the problem), without a stack trace;</li>
 *   <li>ERROR on any other failure, with the exception.</li>
 * </ul>
 * The line is written with the command's MDC values set, also when the outcome completes on another thread.
 *
 * <h2>Payloads</h2>
 * The command itself ({@code toString()}) is not logged unless {@link Builder#logPayloads(boolean)} enables it:
 * commands can carry personal data.
 */
public final class LoggingMiddleware implements Middleware {

    /** The logger of the outcome lines. */
    public static final String LOGGER_NAME = "dev.trench.bus.commands";

    /** MDC key: the command id, in UUID form. */
    public static final String MDC_COMMAND_ID = "commandId";

    /** MDC key: the correlation id shared by every command and event of a conversation, in UUID form. */
    public static final String MDC_CORRELATION_ID = "correlationId";

    /** MDC key: the command's logical name from its spec, e.g. {@code auction.raise-bid}. */
    public static final String MDC_COMMAND_TYPE = "commandType";

    private final Logger log;
    private final boolean logPayloads;

    private LoggingMiddleware(Builder b) {
        this.log = LoggerFactory.getLogger(b.loggerName);
        this.logPayloads = b.logPayloads;
    }

    /** A logging middleware with the defaults: logger {@value #LOGGER_NAME}, payloads not logged. */
    public static LoggingMiddleware create() {
        return builder().build();
    }

    /** Starts a configuration. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        CommandSpec<?> spec = chain.spec();
        Envelope<?> envelope = chain.envelope();
        long start = System.nanoTime();
        String commandId = envelope.commandId().toString();
        String correlationId = envelope.correlationId().toString();
        Saved saved = Saved.put(commandId, correlationId, spec.name());
        CompletionStage<Outcome> stage;
        try {
            stage = chain.proceed(envelope);
        } finally {
            saved.restore();
        }
        if (stage instanceof CompletableFuture<Outcome> done && done.isDone() && !done.isCompletedExceptionally()
                && !log.isInfoEnabled()) {
            return done; // finished here and nothing to print: no callback to allocate
        }
        return Stages.afterwards(stage, (outcome, error) -> {
            long nanos = System.nanoTime() - start;
            if (!enabled(error)) {
                return;
            }
            Saved around = Saved.put(commandId, correlationId, spec.name());
            try {
                logOutcome(spec, envelope, outcome, error, nanos);
            } finally {
                around.restore();
            }
        });
    }

    private boolean enabled(@Nullable Throwable error) {
        if (error == null) {
            return log.isInfoEnabled();
        }
        return isRejection(error) ? log.isWarnEnabled() : log.isErrorEnabled();
    }

    private static boolean isRejection(Throwable error) {
        return error instanceof CommandRejectedException || error instanceof InvalidCommandException;
    }

    private void logOutcome(CommandSpec<?> spec, Envelope<?> envelope, @Nullable Outcome outcome,
            @Nullable Throwable error, long nanos) {
        String took = String.format(Locale.ROOT, "%.2f ms", nanos / 1_000_000.0);
        String payload = logPayloads ? " command=" + payload(envelope) : "";
        if (error instanceof CommandRejectedException rejected) {
            log.warn("Command {} rejected ({}): {} in {}{}", spec.name(), rejected.reason(), rejected.getMessage(),
                    took, payload);
        } else if (error instanceof InvalidCommandException invalid) {
            log.warn("Command {} invalid ({}): {} in {}{}", spec.name(), invalid.field(), invalid.reason(), took,
                    payload);
        } else if (error != null) {
            log.error("Command {} failed in {}: {}{}", spec.name(), took, error.toString(), payload, error);
        } else if (outcome instanceof Outcome.AcceptedOutcome accepted) {
            log.info("Command {} accepted by {} at {} in {}{}", spec.name(), accepted.result().worker(),
                    accepted.result().endpoint(), took, payload);
        } else {
            int attempt = outcome == null ? envelope.attempt() : outcome.envelope().attempt();
            log.info("Command {} succeeded in {} (attempt {}){}", spec.name(), took, attempt, payload);
        }
    }

    private static String payload(Envelope<?> envelope) {
        try {
            return String.valueOf(envelope.command());
        } catch (RuntimeException e) {
            return "<toString() of " + envelope.command().getClass().getName() + " threw " + e + ">";
        }
    }

    @Override
    public String toString() {
        return "LoggingMiddleware{logger=" + log.getName() + ", payloads=" + logPayloads + "}";
    }

    /** The previous MDC values of the three keys, to put back. */
    private record Saved(@Nullable String commandId, @Nullable String correlationId, @Nullable String commandType) {
        static Saved put(String commandId, String correlationId, String commandType) {
            Saved saved = new Saved(MDC.get(MDC_COMMAND_ID), MDC.get(MDC_CORRELATION_ID), MDC.get(MDC_COMMAND_TYPE));
            MDC.put(MDC_COMMAND_ID, commandId);
            MDC.put(MDC_CORRELATION_ID, correlationId);
            MDC.put(MDC_COMMAND_TYPE, commandType);
            return saved;
        }

        void restore() {
            restore(MDC_COMMAND_ID, commandId);
            restore(MDC_CORRELATION_ID, correlationId);
            restore(MDC_COMMAND_TYPE, commandType);
        }

        private static void restore(String key, @Nullable String previous) {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        }
    }

    /** Configures a {@link LoggingMiddleware}. */
    public static final class Builder {
        private String loggerName = LOGGER_NAME;
        private boolean logPayloads;

        private Builder() {
        }

        /**
         * Whether each outcome line includes the command ({@code toString()}); {@code false} by default because
         * commands can carry personal data.
         */
        public Builder logPayloads(boolean value) {
            this.logPayloads = value;
            return this;
        }

        /** The logger of the outcome lines; {@value LoggingMiddleware#LOGGER_NAME} by default. */
        public Builder loggerName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("loggerName: must not be blank, was "
                        + (value == null ? "null" : "'" + value + "'"));
            }
            this.loggerName = value;
            return this;
        }

        /** Builds the middleware. */
        public LoggingMiddleware build() {
            return new LoggingMiddleware(this);
        }
    }
}
