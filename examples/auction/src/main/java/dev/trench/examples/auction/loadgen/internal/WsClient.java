package dev.trench.examples.auction.loadgen.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One websocket client of the run: the last handler of its Netty pipeline. When the handshake completes it subscribes
 * to its auctions; it is <em>ready</em> once every subscription is confirmed by its first frame (normally the node's
 * {@code Snapshot}). Every frame is parsed and handed to the {@link Ledger} with its {@link Watch}. Its state is
 * confined to its channel's event loop; {@link #tally(long[])} is meant to run there too.
 */
public final class WsClient extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final int index;
    private final URI uri;
    private final String node;
    private final @Nullable String user;
    private final Ledger ledger;
    private final List<String> auctionIds;
    private final Watch[] watchByAuction;
    private final List<Watch> watches = new ArrayList<>();
    private final CompletableFuture<WsClient> ready = new CompletableFuture<>();
    private int unconfirmed;
    private volatile @Nullable Channel channel;
    private volatile boolean closing;

    /**
     * A client that will subscribe to the auctions with the given indexes.
     *
     * @param user the user id of the token it connects with, for messages; {@code null} when anonymous
     */
    public WsClient(int index, URI uri, @Nullable String user, Ledger ledger, int[] auctionIndexes) {
        this.index = index;
        this.uri = uri;
        this.node = uri.getRawQuery() == null ? uri.toString()
                : uri.toString().substring(0, uri.toString().indexOf('?'));
        this.user = user;
        this.ledger = ledger;
        this.watchByAuction = new Watch[ledger.auctionCount()];
        this.auctionIds = new ArrayList<>();
        for (int a : auctionIndexes) {
            if (watchByAuction[a] == null) {
                Watch w = new Watch(a);
                watchByAuction[a] = w;
                watches.add(w);
                auctionIds.add(ledger.auctionId(a));
            }
        }
        this.unconfirmed = watches.size();
    }

    /** Its index in the run. */
    public int index() {
        return index;
    }

    /** The URL it connects to (with its token). */
    public URI uri() {
        return uri;
    }

    /** Its watches, one per subscribed auction (read only on its event loop, or after it is ready). */
    public List<Watch> watches() {
        return watches;
    }

    /** Completes when every subscription is confirmed; fails when the connection or a subscription fails first. */
    public CompletableFuture<WsClient> ready() {
        return ready;
    }

    /** Its channel, once connected. */
    public @Nullable Channel channel() {
        return channel;
    }

    /** Marks the client as closing by the run's choice, so its disconnection is not counted. */
    public void closing() {
        closing = true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            for (String id : auctionIds) {
                ctx.write(new TextWebSocketFrame("{\"subscribe\":\"" + id + "\"}"));
            }
            ctx.flush();
            if (unconfirmed == 0) {
                ready.complete(this);
            }
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail(ctx, "no websocket handshake answer from " + node);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        long now = System.nanoTime();
        if (frame instanceof CloseWebSocketFrame close) {
            if (!ready.isDone()) {
                fail(ctx, node + " closed the connection: " + close.statusCode() + " " + close.reasonText());
            } else {
                ctx.close();
            }
            return;
        }
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        ServerFrame f;
        try {
            f = ServerFrame.parse(ByteBufUtil.getBytes(frame.content()));
        } catch (IOException e) {
            ledger.malformedFrame();
            return;
        }
        switch (f.type()) {
            case AUCTION_RAISED, SNAPSHOT -> {
                Watch w = f.auctionId() == null ? null : watchOf(f.auctionId());
                if (w == null) {
                    ledger.unexpectedFrame();
                    return;
                }
                boolean wasConfirmed = w.confirmed();
                if (f.type() == ServerFrame.Type.SNAPSHOT) {
                    ledger.onSnapshot(w, f);
                } else {
                    ledger.onRaised(w, f, now);
                }
                if (!wasConfirmed && --unconfirmed == 0 && ctx.channel().isActive()) {
                    ready.complete(this);
                }
            }
            case BID_REJECTED -> ledger.onRejected(f);
            case ERROR -> {
                if (!ready.isDone()) {
                    fail(ctx, node + " answered a subscription with an Error frame: " + f.reason());
                } else {
                    ledger.errorFrame();
                }
            }
            case OTHER -> ledger.unexpectedFrame();
        }
    }

    private @Nullable Watch watchOf(String auctionId) {
        int a = ledger.auctionIndexOf(auctionId);
        return a < 0 ? null : watchByAuction[a];
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(node + " closed the connection before every subscription "
                    + "was confirmed (" + unconfirmed + " of " + watches.size() + " missing)"));
        } else if (!closing) {
            ledger.disconnected();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            String why = cause instanceof WebSocketClientHandshakeException h && h.response() != null
                    ? "the websocket upgrade was answered " + h.response().status()
                    : cause.toString();
            fail(ctx, node + ": " + why + (user == null ? "" : " (client of " + user + ")"));
        } else {
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, String message) {
        ready.completeExceptionally(new IOException(message));
        ctx.close();
    }

    /**
     * Adds this client's counts to {@code sums}: expected, received, lost, duplicates, reordered, resyncs, out of
     * range ({@code sums} has 7 slots); {@code top[a]} being auction {@code a}'s last accepted sequence number. Run it
     * on the client's event loop.
     */
    public void tally(long[] top, long[] sums) {
        for (Watch w : watches) {
            long t = top[w.auction()];
            long expected = w.expected(t);
            long lost = w.lost(t);
            sums[0] += expected;
            sums[1] += expected - lost;
            sums[2] += lost;
            sums[3] += w.duplicates();
            sums[4] += w.reordered();
            sums[5] += w.resyncs();
            sums[6] += w.outOfRange();
        }
    }
}
