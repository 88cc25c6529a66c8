package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection: makes a {@link Session} when the handshake completes, reads client messages
 * ({@code subscribe}/{@code unsubscribe}; anything else answered with an {@code Error} frame, the session staying
 * open), pings on writer idleness, closes on reader idleness, resumes a session's writes when its channel becomes
 * writable again, and takes the session out of the hub when the connection closes.
 */
final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final WebSocketNodeConfig config;
    private final AuctionHub hub;
    private final NodeMeters meters;
    private final Clock clock;
    private @Nullable Session session;

    WebSocketFrameHandler(WebSocketNodeConfig config, AuctionHub hub, NodeMeters meters, Clock clock) {
        this.config = config;
        this.hub = hub;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            Session s = new Session(ctx.channel(), ctx.channel().attr(HttpGateHandler.USER).get(),
                    config.maxPendingBytes(), config.maxPendingFrames(), meters, clock);
            session = s;
            hub.opened(s);
            log.debug("websocket session opened: session={} remote={} authenticated={}", s.id(),
                    ctx.channel().remoteAddress(), s.userId() != null);
        } else if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.debug("closing idle connection: remote={}", ctx.channel().remoteAddress());
                if (session != null) {
                    session.close(WebSocketCloseStatus.NORMAL_CLOSURE, "idle timeout");
                } else {
                    ctx.close();
                }
            } else if (idle.state() == IdleState.WRITER_IDLE && session != null) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Session s = session;
            if (s == null) {
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                onText(s, text);
            } else if (msg instanceof BinaryWebSocketFrame) {
                s.clientError(ClientMessage.Reason.BINARY, "binary frames are not supported; send JSON text",
                        config.maxClientErrorsPerSession());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onText(Session s, TextWebSocketFrame frame) {
        if (frame.content().readableBytes() > config.maxClientMessageBytes()) {
            s.clientError(ClientMessage.Reason.TOO_LONG, "message longer than " + config.maxClientMessageBytes()
                    + " bytes", config.maxClientErrorsPerSession());
            return;
        }
        ClientMessage message = ClientMessage.parse(frame.text());
        if (message instanceof ClientMessage.Subscribe sub) {
            if (s.subscriptions().contains(sub.auctionId())) {
                return;
            }
            if (s.subscriptions().size() >= config.maxSubscriptionsPerSession()) {
                s.clientError(ClientMessage.Reason.TOO_MANY_SUBSCRIPTIONS, "at most "
                        + config.maxSubscriptionsPerSession() + " subscriptions per session; unsubscribe first",
                        config.maxClientErrorsPerSession());
                return;
            }
            s.subscriptions().add(sub.auctionId());
            hub.subscribe(s, sub.auctionId());
        } else if (message instanceof ClientMessage.Unsubscribe unsub) {
            if (s.subscriptions().remove(unsub.auctionId())) {
                hub.unsubscribe(s, unsub.auctionId());
            }
        } else if (message instanceof ClientMessage.Invalid invalid) {
            s.clientError(invalid.reason(), invalid.message(), config.maxClientErrorsPerSession());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (session != null && ctx.channel().isWritable()) {
            session.drain();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Session s = session;
        if (s != null) {
            session = null;
            hub.closed(s);
            log.debug("websocket session closed: session={}", s.id());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session s = session;
        if (cause instanceof TooLongFrameException && s != null) {
            // a fragmented message longer than the limit: Netty's aggregator drops it, the session goes on
            s.clientError(ClientMessage.Reason.TOO_LONG, "message longer than " + config.maxClientMessageBytes()
                    + " bytes", config.maxClientErrorsPerSession());
            return;
        }
        if (cause instanceof CorruptedWebSocketFrameException) {
            // e.g. a frame over maxFrameBytes: Netty's protocol handler already sent the close frame (1009, 1002)
            log.info("websocket protocol violation, closing: remote={} {}", ctx.channel().remoteAddress(),
                    cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection error, closing: remote={} {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected error on a websocket connection, closing: remote={}", ctx.channel().remoteAddress(),
                    cause);
        }
        ctx.close();
    }
}
