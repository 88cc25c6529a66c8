package dev.trench.transport.http.internal;

import dev.trench.transport.http.HttpCommandSenderConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Netty side of {@link dev.trench.transport.http.HttpCommandSender}: one event loop group, one pool of keep-alive
 * connections per endpoint, and a POST that completes with the answer or an {@link AttemptFailedException}.
 */
public final class CommandClient {
    private static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final HttpCommandSenderConfig config;
    private final EventLoopGroup group;
    private final long cooldownNanos;

    /** Starts the I/O threads (daemon threads: a sender never keeps the JVM alive). */
    public CommandClient(HttpCommandSenderConfig config) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("trench-http-sender-" + config.worker(), true), NioIoHandler.newFactory());
        this.cooldownNanos = config.deadEndpointCooldown().toNanos();
    }

    /** Where retries wait: the I/O threads' scheduler. */
    public ScheduledExecutorService scheduler() {
        return group;
    }

    /** Makes the endpoint of a target, with its (still empty) connection pool. */
    public RemoteEndpoint endpoint(EndpointGroup.Target target) {
        String id = target.id();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .remoteAddress(target.address());
        long idleMillis = config.idleConnectionTimeout().toMillis();
        FixedChannelPool pool = new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("codec", new HttpClientCodec())
                        .addLast("aggregator", new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                        .addLast("trench", new ClientHandler(id));
            }
        }, ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL,
                config.requestTimeout().toMillis(), config.maxConnectionsPerEndpoint(), config.maxPendingAcquires(),
                true, true);
        return new RemoteEndpoint(id, target.address(), pool);
    }

    /** Closes an endpoint's pool: idle connections now, connections in use once their answer arrived. */
    public void retire(RemoteEndpoint endpoint) {
        if (endpoint.pool instanceof FixedChannelPool f) {
            f.closeAsync();
        } else {
            endpoint.pool.close();
        }
    }

    /** Posts a command body to an endpoint. */
    public CompletableFuture<ClientResponse> post(RemoteEndpoint endpoint, byte[] body, long timeoutMillis) {
        CompletableFuture<ClientResponse> future = new CompletableFuture<>();
        endpoint.inFlight.incrementAndGet();
        future.whenComplete((r, e) -> endpoint.inFlight.decrementAndGet());
        Future<Channel> acquired;
        try {
            acquired = endpoint.pool.acquire();
        } catch (RuntimeException e) {
            future.completeExceptionally(new AttemptFailedException(AttemptFailedException.Cause.CLOSED, endpoint.id,
                    "connection pool of " + endpoint.id + " is closed", e));
            return future;
        }
        acquired.addListener(f -> {
            if (!f.isSuccess()) {
                future.completeExceptionally(acquireFailure(endpoint, f.cause()));
                return;
            }
            Channel ch = (Channel) f.getNow();
            ClientHandler handler = ch.pipeline().get(ClientHandler.class);
            if (handler == null) {
                ch.close();
                endpoint.pool.release(ch);
                future.completeExceptionally(new AttemptFailedException(AttemptFailedException.Cause.CLOSED,
                        endpoint.id, "connection to " + endpoint.id + " closed", null));
                return;
            }
            handler.send(request(endpoint, body), timeoutMillis, future, () -> endpoint.pool.release(ch));
        });
        return future;
    }

    private FullHttpRequest request(RemoteEndpoint endpoint, byte[] body) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, config.path(),
                Unpooled.wrappedBuffer(body));
        InetSocketAddress a = endpoint.address;
        request.headers()
                .set(HttpHeaderNames.HOST, a.getHostString() + ":" + a.getPort())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return request;
    }

    private static AttemptFailedException acquireFailure(RemoteEndpoint endpoint, Throwable cause) {
        String id = endpoint.id;
        if (cause instanceof ConnectTimeoutException) {
            return new AttemptFailedException(AttemptFailedException.Cause.CONNECT_TIMEOUT, id,
                    "connecting to " + id + " timed out", cause);
        }
        if (cause instanceof ConnectException) {
            return new AttemptFailedException(AttemptFailedException.Cause.REFUSED, id,
                    "connection to " + id + " refused", cause);
        }
        if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException
                || cause instanceof NoRouteToHostException) {
            return new AttemptFailedException(AttemptFailedException.Cause.UNREACHABLE, id,
                    id + " is unreachable: " + cause, cause);
        }
        if (cause instanceof TimeoutException || cause instanceof IllegalStateException) {
            return new AttemptFailedException(AttemptFailedException.Cause.POOL_EXHAUSTED, id,
                    "no free connection to " + id + ": " + cause.getMessage(), cause);
        }
        return new AttemptFailedException(AttemptFailedException.Cause.UNREACHABLE, id,
                "cannot connect to " + id + ": " + cause, cause);
    }

    /** Skips the endpoint for the cooldown when the failure says it is gone; returns whether it was up before. */
    public boolean markDownIfDead(RemoteEndpoint endpoint, AttemptFailedException failure) {
        if (!failure.reason().endpointDead()) {
            return false;
        }
        return endpoint.markDown(System.nanoTime() + cooldownNanos);
    }

    /** The endpoint answered: choose it again. */
    public void markUp(RemoteEndpoint endpoint) {
        endpoint.markUp();
    }

    /** The failure of an attempt answered with 503. */
    public AttemptFailedException overloaded(RemoteEndpoint endpoint, String detail) {
        return new AttemptFailedException(AttemptFailedException.Cause.OVERLOADED, endpoint.id,
                endpoint.id + " answered 503: " + detail, null);
    }

    /** The failure of an attempt that found no endpoint. */
    public AttemptFailedException noEndpoint(String worker) {
        return new AttemptFailedException(AttemptFailedException.Cause.NO_ENDPOINT, null,
                "no endpoint is known for worker '" + worker + "'", null);
    }

    /** Stops the I/O threads; connections close with them. */
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
