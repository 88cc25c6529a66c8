package dev.trench.transport.http.internal;

import dev.trench.transport.http.HttpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of an {@link dev.trench.transport.http.HttpServer}: collects each request's body (up to the limit;
 * a larger one is discarded and answered 413 without losing the connection), routes it, and writes the answers in
 * request order, one request at a time. Requests a client pipelines wait their turn, and reading pauses meanwhile.
 * A malformed body is the route's business; only a request that cannot be parsed as HTTP closes the connection,
 * after a 400, because its framing is lost.
 */
public final class ServerConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConnectionHandler.class);
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final ServerCore core;
    private @Nullable ChannelHandlerContext ctx;

    // the request being read
    private @Nullable HttpRequest head;
    private @Nullable CompositeByteBuf body;
    private boolean oversized;
    private long receivedNanos;

    // requests read, waiting their turn
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean busy;
    private boolean inDrive;
    /** Set when no more input is to be read: the connection closes once the waiting requests are answered. */
    private boolean inputClosed;
    /** Set when the connection must close after the answer in progress. */
    private boolean closing;

    /** Creates the handler of one connection. */
    public ServerConnectionHandler(ServerCore core) {
        this.core = core;
    }

    private sealed interface Pending permits Complete, Oversized, Malformed {
    }

    private record Complete(HttpRequest head, byte[] body, long receivedNanos) implements Pending {
    }

    private record Oversized(HttpRequest head, long receivedNanos, boolean close) implements Pending {
    }

    private record Malformed(String detail, long receivedNanos) implements Pending {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        try {
            if (inputClosed) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                startRequest(context, request);
            }
            if (msg instanceof HttpContent content && head != null) {
                appendContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        drive();
    }

    private void startRequest(ChannelHandlerContext context, HttpRequest request) {
        receivedNanos = System.nanoTime();
        releaseBody();
        if (request.decoderResult().isFailure()) {
            head = null;
            inputClosed = true;
            Throwable cause = request.decoderResult().cause();
            pending.add(new Malformed("the request could not be parsed as HTTP/1.1: "
                    + (cause == null ? "unknown" : cause.getMessage()), receivedNanos));
            return;
        }
        head = request;
        long length = HttpUtil.getContentLength(request, -1L);
        oversized = length > core.config.maxRequestBytes();
        if (HttpUtil.is100ContinueExpected(request)) {
            if (oversized) {
                // the client waits for our go-ahead: refuse, and close since the body may still follow
                pending.add(new Oversized(request, receivedNanos, true));
                head = null;
                inputClosed = true;
                return;
            }
            context.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
    }

    private void appendContent(HttpContent content) {
        ByteBuf chunk = content.content();
        if (!oversized && chunk.isReadable()) {
            int have = body == null ? 0 : body.readableBytes();
            if ((long) have + chunk.readableBytes() > core.config.maxRequestBytes()) {
                oversized = true;
                releaseBody();
            } else {
                if (body == null) {
                    body = ctx().alloc().compositeBuffer(64);
                }
                body.addComponent(true, chunk.retain());
            }
        }
        if (content.decoderResult().isFailure()) {
            releaseBody();
            head = null;
            inputClosed = true;
            Throwable cause = content.decoderResult().cause();
            pending.add(new Malformed("the request body could not be parsed as HTTP/1.1: "
                    + (cause == null ? "unknown" : cause.getMessage()), receivedNanos));
            return;
        }
        if (content instanceof LastHttpContent) {
            HttpRequest request = head;
            head = null;
            if (oversized) {
                pending.add(new Oversized(request, receivedNanos, false));
            } else {
                byte[] bytes = body == null ? new byte[0] : ByteBufUtil.getBytes(body);
                pending.add(new Complete(request, bytes, receivedNanos));
            }
            releaseBody();
        }
    }

    /** Starts the next waiting request when none is in progress. */
    private void drive() {
        if (inDrive) {
            return;
        }
        inDrive = true;
        try {
            while (!busy && !pending.isEmpty()) {
                Pending next = pending.poll();
                busy = true;
                core.exchanges.increment();
                start(next);
            }
        } finally {
            inDrive = false;
        }
        ChannelHandlerContext c = ctx;
        if (c != null && c.channel().isActive()) {
            boolean read = pending.isEmpty() && !inputClosed;
            if (c.channel().config().isAutoRead() != read) {
                c.channel().config().setAutoRead(read);
            }
        }
    }

    private void start(Pending next) {
        if (next instanceof Malformed m) {
            LOG.debug("Malformed HTTP request from {}: {}", ctx().channel().remoteAddress(), m.detail());
            write(null, "OTHER", "unmatched", false, HttpReply.problem(Problems.malformedHttp(m.detail())),
                    m.receivedNanos());
        } else if (next instanceof Oversized o) {
            LOG.debug("Request body over {} bytes from {} to {} {}", core.config.maxRequestBytes(),
                    ctx().channel().remoteAddress(), o.head().method(), Problems.abbreviate(o.head().uri()));
            write(o.head(), method(o.head()), "unmatched", !o.close() && HttpUtil.isKeepAlive(o.head()),
                    HttpReply.problem(Problems.tooLarge(core.config.maxRequestBytes())), o.receivedNanos());
        } else if (next instanceof Complete c) {
            route(c);
        }
    }

    private void route(Complete c) {
        HttpRequest request = c.head();
        String method = request.method().name();
        QueryStringDecoder uri;
        String path;
        try {
            uri = new QueryStringDecoder(request.uri());
            path = uri.path();
        } catch (IllegalArgumentException e) {
            write(request, method(request), "unmatched", HttpUtil.isKeepAlive(request),
                    HttpReply.problem(Problems.malformedHttp("the request URI is invalid: " + e.getMessage())),
                    c.receivedNanos());
            return;
        }
        Router.Match match = core.router.match(method, path);
        if (match instanceof Router.NotFound) {
            write(request, method(request), "unmatched", HttpUtil.isKeepAlive(request),
                    HttpReply.problem(Problems.notFound(method, path)), c.receivedNanos());
        } else if (match instanceof Router.MethodNotAllowed m) {
            write(request, method(request), "unmatched", HttpUtil.isKeepAlive(request),
                    HttpReply.problem(Problems.methodNotAllowed(method, path, m.allowed()))
                            .withHeader("Allow", String.join(", ", m.allowed())),
                    c.receivedNanos());
        } else if (match instanceof Router.Found found) {
            NettyExchange exchange = new NettyExchange(this, request, path, uri, found.route().pattern(),
                    found.parameters(), c.body(), c.receivedNanos(), remote());
            try {
                found.route().handler().handle(exchange);
            } catch (Throwable t) {
                LOG.error("Handler of {} {} failed", method, found.route().pattern(), t);
                exchange.tryRespond(HttpReply.problem(Problems.internal(
                        "the request could not be handled; see the server log")));
            }
        }
    }

    /** Called by an exchange's {@code respond}, from any thread. */
    void respond(NettyExchange exchange, HttpReply reply) {
        ChannelHandlerContext c = ctx();
        if (c.executor().inEventLoop()) {
            answer(exchange, reply);
        } else {
            c.executor().execute(() -> answer(exchange, reply));
        }
    }

    private void answer(NettyExchange exchange, HttpReply reply) {
        write(exchange.request(), method(exchange.request()), exchange.route(),
                HttpUtil.isKeepAlive(exchange.request()), reply, exchange.receivedNanos());
        drive();
    }

    private void write(@Nullable HttpRequest request, String method, String route, boolean keepAlive,
            HttpReply reply, long receivedNanos) {
        ChannelHandlerContext c = ctx();
        boolean head = request != null && "HEAD".equals(request.method().name());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()),
                head || reply.body().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            headers.set(h.getKey(), h.getValue());
        }
        if (reply.status() == 503 && !headers.contains(HttpHeaderNames.RETRY_AFTER)) {
            headers.set(HttpHeaderNames.RETRY_AFTER, core.retryAfterSeconds);
        }
        boolean keep = keepAlive && !closing && !core.draining() && c.channel().isActive();
        if (!keep) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request != null && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        core.record(method, route, reply.status(), System.nanoTime() - receivedNanos);
        ChannelFuture written = c.writeAndFlush(response);
        written.addListener(f -> core.exchanges.decrement());
        busy = false;
        if (!keep) {
            closing = true;
            inputClosed = true;
            pending.clear();
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes the connection now when it is idle, otherwise right after the answer in progress. */
    public void closeWhenIdle() {
        ChannelHandlerContext c = ctx();
        c.executor().execute(() -> {
            inputClosed = true;
            closing = true;
            pending.clear();
            if (!busy) {
                c.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (!busy && pending.isEmpty() && head == null) {
                context.close();
            }
            return;
        }
        super.userEventTriggered(context, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("Connection from {} failed: {}", context.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("Connection from {} failed; closing it", context.channel().remoteAddress(), cause);
        }
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        releaseBody();
        head = null;
        pending.clear();
        super.channelInactive(context);
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private InetSocketAddress remote() {
        return ctx().channel().remoteAddress() instanceof InetSocketAddress a ? a
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private ChannelHandlerContext ctx() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("handler not added to a pipeline");
        }
        return c;
    }

    boolean draining() {
        return core.draining();
    }

    private static String method(HttpRequest request) {
        String m = request.method().name();
        return KNOWN_METHODS.contains(m) ? m : "OTHER";
    }
}
