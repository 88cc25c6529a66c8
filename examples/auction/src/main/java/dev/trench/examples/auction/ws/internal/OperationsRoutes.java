package dev.trench.examples.auction.ws.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The three routes every Trench HTTP server answers: {@code GET /health/live} (200 while the process serves),
 * {@code GET /health/ready} (200 while the node accepts sessions, 503 before it started and while it closes) and
 * {@code GET /metrics} (Prometheus text format). Kept apart from the websocket pipeline so that the node can switch to
 * the shared implementation of {@code transport-http} once it offers one that can sit in front of an upgrade.
 */
public final class OperationsRoutes {
    /** Content type of the Prometheus text exposition format. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final BooleanSupplier ready;
    private final @Nullable Supplier<String> metrics;

    /**
     * @param ready   whether the node accepts sessions
     * @param metrics the Prometheus scrape, or {@code null} when the node has no Prometheus registry (404)
     */
    public OperationsRoutes(BooleanSupplier ready, @Nullable Supplier<String> metrics) {
        this.ready = ready;
        this.metrics = metrics;
    }

    /** Whether {@code path} is one of these routes. */
    boolean handles(String path) {
        return path.equals("/health/live") || path.equals("/health/ready") || path.equals("/metrics");
    }

    /** The answer to a request for one of these routes ({@link #handles} is true for {@code path}). */
    FullHttpResponse answer(HttpMethod method, String path) {
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return r;
        }
        switch (path) {
            case "/health/live":
                return text(HttpResponseStatus.OK, "application/json", "{\"status\":\"UP\"}");
            case "/health/ready":
                return ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "application/json", "{\"status\":\"READY\"}")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                                "{\"status\":\"NOT_READY\"}");
            default:
                if (metrics == null) {
                    return text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                            "no Prometheus registry configured\n");
                }
                return text(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.get());
        }
    }

    static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }
}
