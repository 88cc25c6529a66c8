package dev.trench.transport;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message could not be encoded or decoded. {@link #reason()} says what kind of problem it is (for metrics and for a
 * transport's status code), {@link #field()} names the offending field where known, and the message says what was
 * wrong in words meant for a person reading a log line or a problem response.
 *
 * <p>Field names are JSON paths in the envelope: {@code commandId}, {@code headers.traceparent}, and for the command
 * or event itself {@code payload.amount}.
 */
public final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kind of problem. */
    public enum Reason {
        /** The logical type name is not registered (or names an event where a command was expected, or the reverse). */
        UNKNOWN_TYPE,
        /** Not JSON, not a JSON object, trailing content, or nested deeper than allowed. */
        MALFORMED,
        /** A required field is absent or {@code null}. */
        MISSING_FIELD,
        /** A field is present but its value is wrong: bad id, bad date, wrong JSON type, or refused by the command. */
        INVALID_FIELD,
        /** A field the receiving side does not know, when the codec is configured to refuse unknown fields. */
        UNKNOWN_FIELD,
        /** The message is longer than the configured limit. */
        TOO_LARGE;

        /** The reason as a lowercase, dash-separated tag value, e.g. {@code unknown-type}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final @Nullable String field;
    private final @Nullable String type;

    /**
     * Creates the exception.
     *
     * @param reason  the kind of problem
     * @param field   the JSON path of the offending field, or {@code null} when no single field is at fault
     * @param type    the logical type name of the message, or {@code null} when it was not read
     * @param message what is wrong, for people
     * @param cause   the underlying parser or constructor exception, or {@code null}
     */
    public WireFormatException(Reason reason, @Nullable String field, @Nullable String type, String message,
            @Nullable Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.field = field;
        this.type = type;
    }

    /** The kind of problem. */
    public Reason reason() {
        return reason;
    }

    /** The JSON path of the offending field (e.g. {@code payload.amount}), or {@code null} when none is at fault. */
    public @Nullable String field() {
        return field;
    }

    /** The logical type name of the message (e.g. {@code auction.raise-bid}), or {@code null} if it was not read. */
    public @Nullable String type() {
        return type;
    }
}
