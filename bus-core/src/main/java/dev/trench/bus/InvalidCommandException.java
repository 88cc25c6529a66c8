package dev.trench.bus;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a command's constructor when a field is missing or invalid. It names the field, so a transport can answer
 * with a precise error (e.g. an HTTP 400 problem naming the field), and it is never retried.
 */
public class InvalidCommandException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidCommandException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The name of the invalid field, as in the command's record component. */
    public String field() {
        return field;
    }

    /** The problem without the field prefix. */
    public String reason() {
        String message = getMessage();
        return message.substring(field.length() + 2);
    }

    /** Rejects {@code null}, empty and blank text. */
    public static String requireText(String field, @Nullable String value) {
        if (value == null) {
            throw new InvalidCommandException(field, "is required");
        }
        if (value.isBlank()) {
            throw new InvalidCommandException(field, "must not be blank");
        }
        return value;
    }

    /** Rejects {@code null}. */
    public static <T> T require(String field, @Nullable T value) {
        if (value == null) {
            throw new InvalidCommandException(field, "is required");
        }
        return value;
    }

    /**
     * Checks a money amount: present, strictly positive, at most {@code maxScale} decimals. Returns it unchanged.
     */
    public static BigDecimal requirePositiveAmount(String field, @Nullable BigDecimal value, int maxScale) {
        require(field, value);
        if (value.signum() <= 0) {
            throw new InvalidCommandException(field, "must be positive, was " + value.toPlainString());
        }
        if (value.stripTrailingZeros().scale() > maxScale) {
            throw new InvalidCommandException(field,
                    "must have at most " + maxScale + " decimals, was " + value.toPlainString());
        }
        return value;
    }
}
