package dev.trench.transport.http.internal;

import dev.trench.transport.http.HttpExchange;
import dev.trench.transport.http.HttpReply;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/** An {@link HttpExchange} over a Netty connection: a fully read request and its single answer. */
final class NettyExchange implements HttpExchange {
    private final ServerConnectionHandler connection;
    private final HttpRequest request;
    private final String path;
    private final QueryStringDecoder uri;
    private final String route;
    private final Map<String, String> parameters;
    private final byte[] body;
    private final long receivedNanos;
    private final InetSocketAddress remote;
    private final AtomicBoolean responded = new AtomicBoolean();

    NettyExchange(ServerConnectionHandler connection, HttpRequest request, String path, QueryStringDecoder uri,
            String route, Map<String, String> parameters, byte[] body, long receivedNanos,
            InetSocketAddress remote) {
        this.connection = connection;
        this.request = request;
        this.path = path;
        this.uri = uri;
        this.route = route;
        this.parameters = parameters;
        this.body = body;
        this.receivedNanos = receivedNanos;
        this.remote = remote;
    }

    HttpRequest request() {
        return request;
    }

    long receivedNanos() {
        return receivedNanos;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String route() {
        return route;
    }

    @Override
    public @Nullable String pathParameter(String name) {
        return parameters.get(name);
    }

    @Override
    public @Nullable String queryParameter(String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public @Nullable String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public List<String> headers(String name) {
        return request.headers().getAll(name);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** When the request was read ({@link System#nanoTime()}), or {@code fallback} for a foreign exchange. */
    static long receivedNanosOf(HttpExchange exchange, long fallback) {
        return exchange instanceof NettyExchange n ? n.receivedNanos : fallback;
    }

    /** The body of an exchange, without a copy when it is one of ours (for the transport's own routes). */
    static byte[] bodyOf(HttpExchange exchange) {
        return exchange instanceof NettyExchange n ? n.body : exchange.body();
    }

    @Override
    public int bodyLength() {
        return body.length;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public boolean draining() {
        return connection.draining();
    }

    @Override
    public void respond(HttpReply reply) {
        Objects.requireNonNull(reply, "reply");
        if (!responded.compareAndSet(false, true)) {
            throw new IllegalStateException("respond() called twice for " + method() + " " + path()
                    + "; an exchange is answered exactly once");
        }
        connection.respond(this, reply);
    }

    /** Answers unless already answered; returns whether this call answered. */
    boolean tryRespond(HttpReply reply) {
        if (!responded.compareAndSet(false, true)) {
            return false;
        }
        connection.respond(this, reply);
        return true;
    }

    @Override
    public String toString() {
        return "HttpExchange{" + method() + " " + path() + "}";
    }
}
