package dev.trench.bus;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A command together with the metadata of one dispatch: its id (unique, time-ordered), the correlation id of the
 * conversation it belongs to, the id of the command that caused it, the attempt number, its creation time, an
 * optional deadline, string headers, and the index of the handler to resume at when it is retried.
 *
 * <p>Envelopes are immutable; middleware derives new ones with the {@code with...} methods and passes them on with
 * {@link Middleware.Chain#proceed(Envelope)}. The bus creates them: {@link CommandBus#dispatch(Command)} makes a root
 * envelope (or a child one, inside a handler), transports rebuild them from the wire with {@link #builder(Command)}.
 *
 * @param <C> the command type
 */
public final class Envelope<C extends Command<?>> {
    private final C command;
    private final MessageId commandId;
    private final MessageId correlationId;
    private final @Nullable MessageId causationId;
    private final long createdAtMillis;
    private final @Nullable Instant deadline;
    private final Map<String, String> headers;
    private final int attempt;
    private final int resumeAt;

    private Envelope(C command, MessageId commandId, MessageId correlationId, @Nullable MessageId causationId,
            long createdAtMillis, @Nullable Instant deadline, Map<String, String> headers, int attempt,
            int resumeAt) {
        this.command = command;
        this.commandId = commandId;
        this.correlationId = correlationId;
        this.causationId = causationId;
        this.createdAtMillis = createdAtMillis;
        this.deadline = deadline;
        this.headers = headers;
        this.attempt = attempt;
        this.resumeAt = resumeAt;
    }

    /**
     * A new envelope for a first attempt, without headers or deadline: what the bus makes on every dispatch.
     *
     * @param causationId {@code null} for a root command
     */
    public static <C extends Command<?>> Envelope<C> of(C command, MessageId commandId, MessageId correlationId,
            @Nullable MessageId causationId, long createdAtMillis) {
        return new Envelope<>(Objects.requireNonNull(command, "command"), Objects.requireNonNull(commandId, "commandId"),
                Objects.requireNonNull(correlationId, "correlationId"), causationId, createdAtMillis, null, Map.of(), 1,
                0);
    }

    /** Starts an envelope for {@code command}; id, correlation id and creation time are required. */
    public static <C extends Command<?>> Builder<C> builder(C command) {
        return new Builder<>(command);
    }

    /** The command. */
    public C command() {
        return command;
    }

    /** Unique id of the command; the same on every attempt, every resend and every hop. */
    public MessageId commandId() {
        return commandId;
    }

    /** Id shared by every command and event caused, directly or not, by the same root command or request. */
    public MessageId correlationId() {
        return correlationId;
    }

    /** Id of the command whose handler dispatched this one; {@code null} for a root command. */
    public @Nullable MessageId causationId() {
        return causationId;
    }

    /** When the command was first dispatched (millisecond precision). */
    public Instant createdAt() {
        return Instant.ofEpochMilli(createdAtMillis);
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    /** After this instant nobody waits for the outcome any more; {@code null} when there is none. */
    public @Nullable Instant deadline() {
        return deadline;
    }

    /** String headers (e.g. {@code traceparent}); unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    public @Nullable String header(String name) {
        return headers.get(name);
    }

    /** 1 for the first attempt, 2 for the first retry, ... */
    public int attempt() {
        return attempt;
    }

    /** Index of the first handler to run: 0 normally; on a retry, the index of the handler that failed. */
    public int resumeAt() {
        return resumeAt;
    }

    public Envelope<C> withAttempt(int newAttempt) {
        return new Envelope<>(command, commandId, correlationId, causationId, createdAtMillis, deadline, headers,
                requireAttempt(newAttempt), resumeAt);
    }

    public Envelope<C> withResumeAt(int handlerIndex) {
        return new Envelope<>(command, commandId, correlationId, causationId, createdAtMillis, deadline, headers,
                attempt, requireResumeAt(handlerIndex));
    }

    public Envelope<C> withDeadline(@Nullable Instant newDeadline) {
        return new Envelope<>(command, commandId, correlationId, causationId, createdAtMillis, newDeadline, headers,
                attempt, resumeAt);
    }

    public Envelope<C> withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Envelope<>(command, commandId, correlationId, causationId, createdAtMillis, deadline,
                java.util.Collections.unmodifiableMap(copy), attempt, resumeAt);
    }

    /** The same metadata around another instance of the same command type (e.g. an enriched copy). */
    public Envelope<C> withCommand(C newCommand) {
        if (newCommand.getClass() != command.getClass()) {
            throw new IllegalArgumentException("withCommand: command type must stay " + command.getClass().getName()
                    + ", was " + newCommand.getClass().getName());
        }
        return new Envelope<>(newCommand, commandId, correlationId, causationId, createdAtMillis, deadline, headers,
                attempt, resumeAt);
    }

    @Override
    public String toString() {
        return "Envelope{" + command.getClass().getSimpleName() + " id=" + commandId + ", correlation="
                + correlationId + (causationId == null ? "" : ", causation=" + causationId) + ", attempt=" + attempt
                + (resumeAt == 0 ? "" : ", resumeAt=" + resumeAt) + "}";
    }

    private static int requireAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt: must be >= 1, was " + attempt);
        }
        return attempt;
    }

    private static int requireResumeAt(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("resumeAt: must be >= 0, was " + index);
        }
        return index;
    }

    /** Builds an envelope, e.g. from a message read off the wire. */
    public static final class Builder<C extends Command<?>> {
        private final C command;
        private @Nullable MessageId commandId;
        private @Nullable MessageId correlationId;
        private @Nullable MessageId causationId;
        private long createdAtMillis = Long.MIN_VALUE;
        private @Nullable Instant deadline;
        private Map<String, String> headers = Map.of();
        private int attempt = 1;
        private int resumeAt;

        private Builder(C command) {
            this.command = Objects.requireNonNull(command, "command");
        }

        public Builder<C> commandId(MessageId id) {
            this.commandId = id;
            return this;
        }

        /** Defaults to the command id (a root command starts its own conversation). */
        public Builder<C> correlationId(@Nullable MessageId id) {
            this.correlationId = id;
            return this;
        }

        public Builder<C> causationId(@Nullable MessageId id) {
            this.causationId = id;
            return this;
        }

        public Builder<C> createdAt(Instant at) {
            this.createdAtMillis = at.toEpochMilli();
            return this;
        }

        public Builder<C> createdAtMillis(long millis) {
            this.createdAtMillis = millis;
            return this;
        }

        public Builder<C> deadline(@Nullable Instant at) {
            this.deadline = at;
            return this;
        }

        public Builder<C> headers(Map<String, String> values) {
            this.headers = values.isEmpty() ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
            return this;
        }

        public Builder<C> attempt(int value) {
            this.attempt = requireAttempt(value);
            return this;
        }

        public Builder<C> resumeAt(int value) {
            this.resumeAt = requireResumeAt(value);
            return this;
        }

        public Envelope<C> build() {
            if (commandId == null) {
                throw new IllegalStateException("commandId: is required");
            }
            if (createdAtMillis == Long.MIN_VALUE) {
                throw new IllegalStateException("createdAt: is required");
            }
            MessageId correlation = correlationId != null ? correlationId : commandId;
            return new Envelope<>(command, commandId, correlation, causationId, createdAtMillis, deadline, headers,
                    attempt, resumeAt);
        }
    }
}
