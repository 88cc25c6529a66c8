package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.ws.TokenVerifier;
import dev.trench.examples.auction.ws.internal.NodeMeters.RefusalReason;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a connection, before any upgrade: answers the {@link OperationsRoutes}, 404 for other paths, and
 * checks a websocket upgrade on the node's path before letting it through to Netty's handshake: a {@code token}
 * query parameter must verify (else 401), the node must be accepting (else 503) and the connection limits must allow
 * one more session (else 503, with {@code Retry-After}). A let-through upgrade carries its user in {@link #USER} and
 * holds a connection slot until the channel closes. Other messages (websocket frames, after the upgrade) pass by.
 */
final class HttpGateHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpGateHandler.class);

    /** The verified user of the upgrade's token; absent for anonymous sessions. */
    static final AttributeKey<String> USER = AttributeKey.valueOf(HttpGateHandler.class, "user");

    private final String path;
    private final TokenVerifier tokens;
    private final ConnectionLimiter limiter;
    private final BooleanSupplier accepting;
    private final OperationsRoutes operations;
    private final NodeMeters meters;
    private @Nullable InetAddress slot;

    HttpGateHandler(String path, TokenVerifier tokens, ConnectionLimiter limiter, BooleanSupplier accepting,
            OperationsRoutes operations, NodeMeters meters) {
        this.path = path;
        this.tokens = tokens;
        this.limiter = limiter;
        this.accepting = accepting;
        this.operations = operations;
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean passed = false;
        try {
            if (!request.decoderResult().isSuccess()) {
                answer(ctx, request, OperationsRoutes.text(HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
                        "bad request\n"), true);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String requestPath = uri.path();
            if (requestPath.equals(path)) {
                passed = upgrade(ctx, request, uri);
            } else if (operations.handles(requestPath)) {
                answer(ctx, request, operations.answer(request.method(), requestPath), false);
            } else {
                answer(ctx, request, OperationsRoutes.text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "not found\n"), false);
            }
        } finally {
            if (!passed) {
                ReferenceCountUtil.release(request);
            }
        }
    }

    /** Checks an upgrade; passes it on and returns {@code true}, or answers it and returns {@code false}. */
    private boolean upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = OperationsRoutes.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "text/plain; charset=utf-8", "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            answer(ctx, request, r, true);
            return false;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            answer(ctx, request, OperationsRoutes.text(HttpResponseStatus.UPGRADE_REQUIRED, "text/plain; charset=utf-8",
                    "this path only upgrades to a websocket\n"), true);
            return false;
        }
        String user = null;
        List<String> tokenValues = uri.parameters().get("token");
        String token = tokenValues == null || tokenValues.isEmpty() ? null : tokenValues.get(0);
        if (token != null && !token.isBlank()) {
            Optional<String> verified;
            try {
                verified = tokens.userOf(token);
            } catch (RuntimeException e) {
                log.warn("token verifier failed; refusing the upgrade: {}", e.toString());
                verified = Optional.empty();
            }
            if (verified == null || verified.isEmpty()) {
                refuse(ctx, request, HttpResponseStatus.UNAUTHORIZED, RefusalReason.UNAUTHORIZED,
                        "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                                + "\"detail\":\"the token is invalid or expired\"}");
                return false;
            }
            user = verified.get();
        }
        if (!accepting.getAsBoolean()) {
            refuse(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, RefusalReason.CLOSING, problem503(
                    "the node is not accepting sessions"));
            return false;
        }
        InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        ConnectionLimiter.Verdict verdict = limiter.tryAcquire(address);
        if (verdict != ConnectionLimiter.Verdict.ACCEPTED) {
            boolean nodeFull = verdict == ConnectionLimiter.Verdict.NODE_FULL;
            refuse(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    nodeFull ? RefusalReason.NODE_FULL : RefusalReason.ADDRESS_FULL,
                    problem503(nodeFull ? "the node has as many sessions as it accepts"
                            : "too many sessions from this address"));
            return false;
        }
        slot = address;
        if (user != null) {
            ctx.channel().attr(USER).set(user);
        }
        // Netty's handshaker matches the path exactly: hand it the path without the query (the token stays out of
        // anything logged further down).
        request.setUri(path);
        ctx.fireChannelRead(request);
        return true;
    }

    private static String problem503(String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"" + detail
                + "\"}";
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            RefusalReason reason, String problemJson) {
        meters.refused(reason);
        log.info("websocket upgrade refused: remote={} status={} reason={}", ctx.channel().remoteAddress(),
                status.code(), reason.tag);
        FullHttpResponse r = OperationsRoutes.text(status, "application/problem+json", problemJson);
        if (status.code() == 503) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        answer(ctx, request, r, true);
    }

    private static void answer(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean close) {
        boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (slot != null) {
            limiter.release(slot);
            slot = null;
        }
        super.channelInactive(ctx);
    }
}
