package dev.trench.transport.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An error answer in the form of RFC 9457 ("Problem Details for HTTP APIs"), sent as {@code application/problem+json}:
 * the standard members {@code type}, {@code title}, {@code status} and {@code detail}, plus extension members such as
 * {@code field} (the invalid input), {@code commandId} or {@code reason}.
 *
 * <pre>{@code
 * Problem.of(400, "invalid-field", "Invalid command", "amount: must be positive, was -1").with("field", "amount")
 * }</pre>
 *
 * @param type       a URI naming the kind of problem; Trench uses {@code urn:trench:problem:<slug>}
 * @param title      a short summary, the same for every occurrence of the type
 * @param status     the HTTP status code
 * @param detail     what went wrong this time, for people; may be {@code null}
 * @param extensions further members, in order; values must be JSON-friendly (strings, numbers, booleans)
 */
public record Problem(String type, String title, int status, @Nullable String detail, Map<String, Object> extensions) {

    /** The prefix of the {@code type} URIs of Trench's own problems. */
    public static final String TYPE_PREFIX = "urn:trench:problem:";

    /** Validates the members and freezes the extensions. */
    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: must be an HTTP status within [100, 599], was " + status);
        }
        extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
        for (String standard : new String[] {"type", "title", "status", "detail", "instance"}) {
            if (extensions.containsKey(standard)) {
                throw new IllegalArgumentException("extensions: must not redefine the standard member '" + standard
                        + "'");
            }
        }
    }

    /**
     * A problem of Trench's own kind {@code urn:trench:problem:<slug>}, without extensions.
     *
     * @param slug lowercase words separated by dashes, e.g. {@code queue-full}
     */
    public static Problem of(int status, String slug, String title, @Nullable String detail) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail, Map.of());
    }

    /** A copy with one more extension member (or the member replaced). */
    public Problem with(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, Object> copy = new LinkedHashMap<>(extensions);
        copy.put(name, value);
        return new Problem(type, title, status, detail, copy);
    }

    /** The value of an extension member as text, or {@code null} when absent. */
    public @Nullable String extension(String name) {
        Object v = extensions.get(name);
        return v == null ? null : v.toString();
    }

    /** The slug of a Trench problem type (e.g. {@code queue-full}), or the whole type for other problems. */
    public String slug() {
        return type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }
}
