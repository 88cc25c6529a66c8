package dev.trench.examples.auction.ws.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One websocket client after its handshake, with its bounded outbound buffer.
 *
 * <p><b>Outbound buffer.</b> {@link #send} may be called from any thread (the auction threads fan out, the caller of
 * {@code accept} sends {@code BidRejected}); it never blocks and never touches the socket. It counts the frame against
 * the session's pending bytes and frames, queues it, and schedules one drain on the channel's event loop. The drain
 * hands queued frames to Netty only while the channel is {@linkplain Channel#isWritable() writable} (Netty's
 * {@code WriteBufferWaterMark}); when Netty's buffer passes the high water mark it stops, and resumes on
 * {@code channelWritabilityChanged}. A frame stays pending from {@link #send} until the socket took it, so the limits
 * bound everything the session holds: queued frames plus Netty's buffer. A {@link #send} that would pass
 * {@code maxPendingBytes} or {@code maxPendingFrames} disconnects the session (close 1008) instead: a slow client
 * costs the others nothing but one failed atomic check.
 *
 * <p>{@link #subscriptions()} and the error count are confined to the channel's event loop.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final Channel channel;
    private final @Nullable String userId;
    private final String remote;
    private final int maxPendingBytes;
    private final int maxPendingFrames;
    private final NodeMeters meters;
    private final Clock clock;
    private final Queue<Outbound> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicInteger pendingFrames = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Set<String> subscriptions = new HashSet<>();
    private int clientErrors;

    Session(Channel channel, @Nullable String userId, int maxPendingBytes, int maxPendingFrames, NodeMeters meters,
            Clock clock) {
        this.channel = channel;
        this.userId = userId;
        this.remote = String.valueOf(channel.remoteAddress());
        this.maxPendingBytes = maxPendingBytes;
        this.maxPendingFrames = maxPendingFrames;
        this.meters = meters;
        this.clock = clock;
    }

    /** The verified user of the session's token, or {@code null} for an anonymous watcher. */
    @Nullable String userId() {
        return userId;
    }

    /** A short id for logs (the channel's). */
    String id() {
        return channel.id().asShortText();
    }

    Channel channel() {
        return channel;
    }

    /** Auctions this session subscribed to; event-loop confined. */
    Set<String> subscriptions() {
        return subscriptions;
    }

    /**
     * Queues a frame. Any thread, never blocks.
     *
     * @return {@code false} when the session is closing, or was just disconnected because the frame overflowed its
     *         buffer
     */
    boolean send(Outbound out) {
        if (closing.get()) {
            return false;
        }
        long bytes = pendingBytes.addAndGet(out.size());
        int frames = pendingFrames.incrementAndGet();
        if (bytes > maxPendingBytes || frames > maxPendingFrames) {
            pendingBytes.addAndGet(-out.size());
            pendingFrames.decrementAndGet();
            disconnectSlow(bytes, frames);
            return false;
        }
        queue.offer(out);
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
        return true;
    }

    /** Hands queued frames to Netty while the channel is writable. Event loop only. */
    void drain() {
        drainScheduled.set(false);
        if (closing.get() || !channel.isActive()) {
            queue.clear();
            return;
        }
        boolean wrote = false;
        while (channel.isWritable()) {
            Outbound out = queue.poll();
            if (out == null) {
                break;
            }
            ChannelFuture f = channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(out.json())));
            f.addListener(future -> written(out, future.isSuccess()));
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    private void written(Outbound out, boolean success) {
        pendingBytes.addAndGet(-out.size());
        pendingFrames.decrementAndGet();
        if (success && out.type() != null) {
            Instant createdAt = out.createdAt();
            long lag = -1;
            if (createdAt != null) {
                Instant now = clock.instant();
                lag = now.isBefore(createdAt) ? -1
                        : (now.getEpochSecond() - createdAt.getEpochSecond()) * 1_000_000_000L
                                + (now.getNano() - createdAt.getNano());
            }
            meters.written(out.type(), lag);
        }
    }

    private void disconnectSlow(long bytes, int frames) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        meters.slowDisconnect();
        log.info("websocket session too slow, disconnecting: session={} remote={} pendingBytes={} pendingFrames={}",
                id(), remote, bytes, frames);
        channel.eventLoop().execute(() -> {
            queue.clear();
            // The close frame goes out only if the socket has room; the connection closes either way, at once.
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION,
                    "too slow: outbound buffer full"));
            channel.close();
        });
    }

    /**
     * Answers a bad client message with an {@code Error} frame; past the per-session limit, closes the session (1008).
     * Event loop only. Logs the reason, never the payload.
     */
    void clientError(ClientMessage.Reason reason, String message, int maxErrors) {
        meters.clientError(reason);
        clientErrors++;
        log.info("bad websocket client message: session={} remote={} reason={} errors={}", id(), remote,
                reason.tag(), clientErrors);
        send(Outbound.control(Frames.error(reason, message)));
        if (clientErrors >= maxErrors) {
            close(WebSocketCloseStatus.POLICY_VIOLATION, "too many bad messages");
        }
    }

    /** Sends a close frame after what is already queued is dropped, and closes once it is written. Any thread. */
    ChannelFuture goAway() {
        closing.set(true);
        channel.eventLoop().execute(() -> {
            queue.clear();
            if (channel.isActive()) {
                channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "going away"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        });
        return channel.closeFuture();
    }

    /** Sends a close frame and closes the connection at once (the frame goes out if the socket has room). */
    void close(WebSocketCloseStatus status, String reason) {
        closing.set(true);
        channel.eventLoop().execute(() -> {
            queue.clear();
            channel.writeAndFlush(new CloseWebSocketFrame(status, reason));
            channel.close();
        });
    }

    /** The connection is gone: stop queueing. */
    void closed() {
        closing.set(true);
        queue.clear();
    }

    @Override
    public String toString() {
        return "Session{" + id() + ", " + remote + (userId == null ? "" : ", user") + "}";
    }
}
