package dev.trench.transport.http;

import dev.trench.transport.http.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP response to send with {@link HttpExchange#respond(HttpReply)}: status, content type, extra headers and a
 * body. Immutable. {@code Content-Length}, {@code Connection} and keep-alive are handled by the server.
 */
public final class HttpReply {
    /** {@code application/json}. */
    public static final String JSON = "application/json";
    /** {@code application/problem+json} (RFC 9457). */
    public static final String PROBLEM_JSON = "application/problem+json";
    /** {@code text/plain; charset=utf-8}. */
    public static final String TEXT = "text/plain; charset=utf-8";

    private static final byte[] NO_BODY = new byte[0];

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers;

    private HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: must be an HTTP status within [100, 599], was " + status);
        }
        this.status = status;
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.body = Objects.requireNonNull(body, "body");
        this.headers = headers;
    }

    /** A reply with the given body bytes, which the reply takes over (do not modify them afterwards). */
    public static HttpReply of(int status, String contentType, byte[] body) {
        return new HttpReply(status, contentType, body, Map.of());
    }

    /** A JSON reply whose body is already serialised. */
    public static HttpReply json(int status, byte[] json) {
        return of(status, JSON, json);
    }

    /** A JSON reply: {@code value} serialised by Jackson (maps, lists, records, strings, numbers). */
    public static HttpReply json(int status, Object value) {
        return of(status, JSON, Json.write(value));
    }

    /** A plain UTF-8 text reply. */
    public static HttpReply text(int status, String text) {
        return of(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A reply without a body (e.g. 204). */
    public static HttpReply empty(int status) {
        return of(status, TEXT, NO_BODY);
    }

    /** An {@code application/problem+json} reply with the problem's status. */
    public static HttpReply problem(Problem problem) {
        return of(problem.status(), PROBLEM_JSON, Json.write(problem));
    }

    /** A copy with one more header (or the header replaced). */
    public HttpReply withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpReply(status, contentType, body, Collections.unmodifiableMap(copy));
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The {@code Content-Type}. */
    public String contentType() {
        return contentType;
    }

    /** The body; do not modify it. */
    public byte[] body() {
        return body;
    }

    /** Extra headers, in order; unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "HttpReply{" + status + " " + contentType + ", " + body.length + " bytes}";
    }
}
