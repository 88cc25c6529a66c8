package dev.trench.transport.http.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects every problem of a configuration being built, so that {@code build()} reports them all at once, each
 * naming the field and the bad value.
 */
public final class ConfigCheck {
    private final String what;
    private final List<String> problems = new ArrayList<>();

    /** @param what the configuration's name for the message, e.g. {@code HttpServerConfig} */
    public ConfigCheck(String what) {
        this.what = what;
    }

    /** Records {@code field: rule, was value} unless {@code ok}. */
    public ConfigCheck require(boolean ok, String field, @Nullable Object value, String rule) {
        if (!ok) {
            problems.add(field + ": " + rule + ", was " + render(value));
        }
        return this;
    }

    /** Records a problem when the value is not strictly positive. */
    public ConfigCheck positive(String field, @Nullable Duration value) {
        return require(value != null && !value.isNegative() && !value.isZero(), field, value, "must be positive");
    }

    /** Records a problem when the value is below {@code min}. */
    public ConfigCheck atLeast(String field, long value, long min) {
        return require(value >= min, field, value, "must be >= " + min);
    }

    /** Records a free-form problem. */
    public ConfigCheck problem(String message) {
        problems.add(message);
        return this;
    }

    /** Throws one {@link IllegalArgumentException} listing every problem, numbered, if there is any. */
    public void throwIfAny() {
        if (problems.isEmpty()) {
            return;
        }
        if (problems.size() == 1) {
            throw new IllegalArgumentException(what + ": " + problems.get(0));
        }
        StringBuilder sb = new StringBuilder(what).append(" has ").append(problems.size()).append(" problems:");
        for (int i = 0; i < problems.size(); i++) {
            sb.append("\n").append(i + 1).append(") ").append(problems.get(i));
        }
        throw new IllegalArgumentException(sb.toString());
    }

    private static String render(@Nullable Object value) {
        return value instanceof CharSequence ? "'" + value + "'" : String.valueOf(value);
    }
}
