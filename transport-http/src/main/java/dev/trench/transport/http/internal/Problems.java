package dev.trench.transport.http.internal;

import dev.trench.transport.http.Problem;
import java.util.Set;

/** The problems the HTTP transport answers with, in one place so that their types and titles stay stable. */
public final class Problems {
    private Problems() {
    }

    /** 404: no route has the path. */
    public static Problem notFound(String method, String path) {
        return Problem.of(404, "not-found", "Not Found", "no route for " + method + " " + abbreviate(path));
    }

    /** 405: the path exists under other methods. */
    public static Problem methodNotAllowed(String method, String path, Set<String> allowed) {
        return Problem.of(405, "method-not-allowed", "Method Not Allowed",
                method + " is not allowed on " + abbreviate(path) + "; allowed: " + String.join(", ", allowed));
    }

    /** 413: the body is larger than the limit. */
    public static Problem tooLarge(int limit) {
        return Problem.of(413, "payload-too-large", "Payload Too Large",
                "the request body exceeds the limit of " + limit + " bytes").with("limit", limit);
    }

    /** 400: the request could not be parsed as HTTP. */
    public static Problem malformedHttp(String detail) {
        return Problem.of(400, "malformed-request", "Malformed HTTP request", detail);
    }

    /** 415: the body is not JSON. */
    public static Problem unsupportedMediaType(String contentType) {
        return Problem.of(415, "unsupported-media-type", "Unsupported Media Type",
                "the body must be application/json, was " + (contentType == null ? "no Content-Type"
                        : "'" + abbreviate(contentType) + "'"));
    }

    /** 500: a handler failed. */
    public static Problem internal(String detail) {
        return Problem.of(500, "internal-error", "Internal Server Error", detail);
    }

    /** 503: the server is draining. */
    public static Problem draining() {
        return Problem.of(503, "draining", "Service Unavailable",
                "the server is shutting down and accepts no new commands; send it to another instance")
                .with("reason", "draining");
    }

    /** 503: the queue is full. */
    public static Problem queueFull(int capacity) {
        return Problem.of(503, "queue-full", "Service Unavailable",
                "the command queue is full (" + capacity + " commands); retry later or on another instance")
                .with("reason", "queue-full");
    }

    /** Shortens user-supplied text before it goes into an answer or a log line. */
    public static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
