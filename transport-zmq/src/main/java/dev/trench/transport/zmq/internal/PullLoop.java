package dev.trench.transport.zmq.internal;

import dev.trench.transport.zmq.ZmqBindConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The receive thread of a binding channel: one PULL socket, created, bound, read and closed by that thread only. Each
 * multi-part message is handed to the {@link Handler} on the same thread. Closing terminates the context, which wakes
 * the blocked receive with {@code ETERM}: the thread closes its socket and ends.
 *
 * <p>Nothing a peer sends stops the loop: a handler's exception is logged and the next message is read.
 */
public final class PullLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullLoop.class);

    /** Receives each message, on the receive thread. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles one message.
         *
         * @param frames      its frames, at most {@code maxFrames}
         * @param extraFrames how many frames past {@code maxFrames} were read and dropped
         */
        void handle(List<byte[]> frames, int extraFrames);
    }

    private final ZmqBindConfig config;
    private final String role;
    private final long maxMessageBytes;
    private final int maxFrames;
    private final Handler handler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile @Nullable String endpoint;
    private volatile @Nullable RuntimeException bindError;
    private ZMQ.@Nullable Context context;
    private @Nullable Thread thread;

    /**
     * A loop for one channel.
     *
     * @param role            the role in thread names, e.g. {@code sub}
     * @param maxMessageBytes ZeroMQ drops the connection of a peer that sends a larger frame (MAXMSGSIZE)
     * @param maxFrames       frames of one message kept; more are read and counted, not kept
     */
    public PullLoop(ZmqBindConfig config, String role, long maxMessageBytes, int maxFrames, Handler handler) {
        this.config = config;
        this.role = role;
        this.maxMessageBytes = maxMessageBytes;
        this.maxFrames = maxFrames;
        this.handler = handler;
    }

    /**
     * Starts the receive thread and waits until the socket is bound.
     *
     * @throws IllegalStateException naming the endpoint when it cannot be bound (e.g. the port is in use)
     */
    public void start() {
        ZMQ.Context ctx = Contexts.create(role, config.name());
        context = ctx;
        CountDownLatch bound = new CountDownLatch(1);
        Thread t = new Thread(() -> run(ctx, bound), Contexts.threadName(role, config.name()));
        t.setDaemon(true);
        thread = t;
        t.start();
        try {
            if (!bound.await(30, TimeUnit.SECONDS)) {
                close();
                throw new IllegalStateException("Channel '" + config.name() + "': binding "
                        + config.bindEndpoint() + " took more than 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("Channel '" + config.name() + "': interrupted while binding", e);
        }
        RuntimeException error = bindError;
        if (error != null) {
            close();
            throw new IllegalStateException("Channel '" + config.name() + "': cannot bind "
                    + config.bindEndpoint() + ": " + error, error);
        }
    }

    /** The endpoint the socket is bound to, with the port chosen when the configuration asked for any. */
    public String endpoint() {
        String e = endpoint;
        return e == null ? config.bindEndpoint() : e;
    }

    /** Whether the loop still runs (a handler waiting for room checks it). */
    public boolean isRunning() {
        return running;
    }

    private void run(ZMQ.Context ctx, CountDownLatch bound) {
        ZMQ.Socket socket;
        try {
            socket = ctx.socket(SocketType.PULL);
        } catch (RuntimeException e) {
            bindError = e;
            bound.countDown();
            return;
        }
        try {
            socket.setRcvHWM(config.socketOptions().highWaterMark());
            socket.setLinger(Contexts.millis(config.socketOptions().linger()));
            socket.setReconnectIVL(Contexts.millis(config.socketOptions().reconnectInterval()));
            socket.setHandshakeIvl(Contexts.millis(config.socketOptions().handshakeInterval()));
            socket.setMaxMsgSize(maxMessageBytes);
            if (config.bindEndpoint().indexOf('[') >= 0) {
                socket.setIPv6(true);
            }
            socket.bind(config.bindEndpoint());
            endpoint = socket.getLastEndpoint();
        } catch (RuntimeException e) {
            bindError = e;
            socket.close();
            bound.countDown();
            return;
        }
        LOG.info("Channel '{}': receiving on {}", config.name(), endpoint);
        bound.countDown();
        try {
            receiveUntilClosed(socket);
        } finally {
            socket.close();
        }
    }

    private void receiveUntilClosed(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>(maxFrames);
        while (running) {
            frames.clear();
            int extra = 0;
            try {
                frames.add(socket.recv(0));
                while (socket.hasReceiveMore()) {
                    byte[] f = socket.recv(0);
                    if (frames.size() < maxFrames) {
                        frames.add(f);
                    } else {
                        extra++;
                    }
                }
            } catch (ZMQException e) {
                if (e.getErrorCode() == ZMQ.Error.ETERM.getCode() || !running) {
                    return;
                }
                LOG.warn("Channel '{}': receive failed: {}", config.name(), e.toString());
                continue;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("Channel '{}': receive failed: {}", config.name(), e.toString());
                continue;
            }
            try {
                handler.handle(frames, extra);
            } catch (RuntimeException e) {
                LOG.error("Channel '{}': handling a message failed; going on with the next", config.name(), e);
            }
        }
    }

    /** Stops receiving: terminates the context (waking the receive), joins the thread. Not from the handler. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (context != null) {
            try {
                if (!Contexts.terminate(context, TimeUnit.SECONDS.toMillis(10))) {
                    LOG.warn("Channel '{}': ZeroMQ's threads did not stop within 10 s", config.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
                if (t.isAlive()) {
                    LOG.warn("Channel '{}': the receive thread did not stop within 10 s", config.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
