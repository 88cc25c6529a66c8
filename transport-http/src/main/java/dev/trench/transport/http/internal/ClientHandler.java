package dev.trench.transport.http.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a pooled client connection: one request at a time, its answer or its timeout, and the
 * connection back to the pool exactly once (closed first when it cannot be reused).
 */
final class ClientHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);
    private final String endpoint;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Call current;

    private static final class Call {
        final CompletableFuture<ClientResponse> future;
        final Runnable release;
        @Nullable ScheduledFuture<?> timeout;

        Call(CompletableFuture<ClientResponse> future, Runnable release) {
            this.future = future;
            this.release = release;
        }
    }

    ClientHandler(String endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    /**
     * Sends a request on this connection, from any thread; the future completes with the answer or an
     * {@link AttemptFailedException}, and {@code release} returns the connection to its pool first.
     */
    void send(FullHttpRequest request, long timeoutMillis, CompletableFuture<ClientResponse> future, Runnable release) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            ReferenceCountUtil.release(request);
            release.run();
            future.completeExceptionally(new AttemptFailedException(AttemptFailedException.Cause.CLOSED, endpoint,
                    "connection to " + endpoint + " is not ready", null));
            return;
        }
        c.executor().execute(() -> {
            if (current != null || !c.channel().isActive()) {
                ReferenceCountUtil.release(request);
                Call call = new Call(future, release);
                fail(call, c, AttemptFailedException.Cause.CLOSED, "connection to " + endpoint
                        + (current != null ? " is busy" : " closed before the request was sent"), null);
                return;
            }
            Call call = new Call(future, release);
            current = call;
            call.timeout = c.executor().schedule(() -> {
                if (current == call) {
                    current = null;
                    fail(call, c, AttemptFailedException.Cause.TIMEOUT, endpoint + " did not answer within "
                            + timeoutMillis + " ms", null);
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            c.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess() && current == call) {
                    current = null;
                    fail(call, c, AttemptFailedException.Cause.CLOSED, "request to " + endpoint + " could not be"
                            + " written: " + w.cause(), w.cause());
                }
            });
        });
    }

    private void fail(Call call, ChannelHandlerContext c, AttemptFailedException.Cause cause, String message,
            @Nullable Throwable underlying) {
        try {
            if (call.timeout != null) {
                call.timeout.cancel(false);
            }
            c.close();
            call.release.run();
        } catch (RuntimeException e) {
            LOG.debug("Releasing the connection to {} failed", endpoint, e);
        } finally {
            call.future.completeExceptionally(new AttemptFailedException(cause, endpoint, message, underlying));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
        Call call = current;
        if (call == null) {
            // an answer nobody asked for: the connection is out of step, drop it
            context.close();
            return;
        }
        current = null;
        if (call.timeout != null) {
            call.timeout.cancel(false);
        }
        ClientResponse r = new ClientResponse(response.status().code(), ByteBufUtil.getBytes(response.content()));
        try {
            if (!HttpUtil.isKeepAlive(response) || !response.decoderResult().isSuccess()) {
                context.close();
            }
            call.release.run();
        } catch (RuntimeException e) {
            LOG.debug("Releasing the connection to {} failed", endpoint, e);
        } finally {
            call.future.complete(r);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (current == null) {
                context.close();
            }
            return;
        }
        super.userEventTriggered(context, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        Call call = current;
        if (call != null) {
            current = null;
            fail(call, context, AttemptFailedException.Cause.CLOSED, "connection to " + endpoint
                    + " closed before an answer", null);
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        Call call = current;
        if (call != null) {
            current = null;
            fail(call, context, AttemptFailedException.Cause.CLOSED, "connection to " + endpoint + " failed: "
                    + cause, cause);
        } else {
            context.close();
        }
    }
}
