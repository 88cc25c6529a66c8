package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.ws.TokenVerifier;
import dev.trench.examples.auction.ws.WebSocketNodeConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The pipeline of every connection, in the manner of Netty's websocket example:
 *
 * <pre>
 *   IdleStateHandler          reader idle: close; writer idle: ping (fired to the frame handler)
 *   HttpServerCodec           HTTP/1.1 until the upgrade (then replaced by the websocket codec)
 *   HttpObjectAggregator      whole requests (GETs: health, metrics, the upgrade)
 *   HttpGateHandler           health/ready/metrics routes, 404; upgrade checks: token 401, limits 503
 *   WebSocketServerProtocolHandler   the handshake on the node's path; close, ping and pong frames; frame size limit
 *   WebSocketFrameAggregator  fragmented messages, up to maxClientMessageBytes
 *   WebSocketFrameHandler     the session: client messages, idle events, writability, close
 * </pre>
 */
public final class WebSocketNodeInitializer extends ChannelInitializer<SocketChannel> {
    private final WebSocketNodeConfig config;
    private final TokenVerifier tokens;
    private final ConnectionLimiter limiter;
    private final BooleanSupplier accepting;
    private final OperationsRoutes operations;
    private final AuctionHub hub;
    private final NodeMeters meters;
    private final Clock clock;
    private final ChannelGroup channels;
    private final WebSocketServerProtocolConfig protocol;

    /** The initializer of a node's connections; every accepted channel joins {@code channels}. */
    public WebSocketNodeInitializer(WebSocketNodeConfig config, TokenVerifier tokens, ConnectionLimiter limiter,
            BooleanSupplier accepting, OperationsRoutes operations, AuctionHub hub, NodeMeters meters, Clock clock,
            ChannelGroup channels) {
        this.config = config;
        this.tokens = tokens;
        this.limiter = limiter;
        this.accepting = accepting;
        this.operations = operations;
        this.hub = hub;
        this.meters = meters;
        this.clock = clock;
        this.channels = channels;
        this.protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(config.path())
                .checkStartsWith(false)
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .handleCloseFrames(true)
                .dropPongFrames(true)
                // The node writes its own close frames (1000 idle, 1001 going away, 1008 too slow or too many bad
                // messages); Netty must not add a close handshake to channel.close() that waits for the frame to be
                // written, or a client that stopped reading would keep its connection until a timeout.
                .sendCloseFrame(null)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxFrameBytes())
                        .expectMaskedFrames(true)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .withUTF8Validator(true)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(true, config.idleTimeout().toNanos(), config.pingInterval().toNanos(),
                0, TimeUnit.NANOSECONDS));
        p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
        p.addLast("http-aggregator", new HttpObjectAggregator(8192));
        p.addLast("gate", new HttpGateHandler(config.path(), tokens, limiter, accepting, operations, meters));
        p.addLast("websocket", new WebSocketServerProtocolHandler(protocol));
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(config.maxClientMessageBytes()));
        p.addLast("session", new WebSocketFrameHandler(config, hub, meters, clock));
    }
}
