package dev.trench.transport.zmq.internal;

import dev.trench.transport.TransportMeters;
import dev.trench.transport.zmq.ZmqConnectConfig;
import dev.trench.transport.zmq.ZmqSocketOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The I/O thread of a connecting channel and every socket it owns. Callers only {@link #offer(Outgoing)} to a bounded
 * queue; the thread takes messages off it and sends them without ever blocking on a socket ({@code DONTWAIT}). A
 * socket that has no room (its high-water mark is reached, or it has no completed connection: sockets are made with
 * {@code IMMEDIATE}, so a peer that is down or not yet connected takes nothing) is retried, oldest message first, every 1 to 50 ms:
 *
 * <ul>
 * <li>{@link Mode#FAN_OUT} (events): one PUSH socket per endpoint, each message sent on every socket with the stream
 *     frame (publisher id, sequence number) between type and body. Events wait for room per endpoint, in order, up
 *     to the queue capacity and the send timeout; past either the event is dropped for that endpoint only (counted
 *     {@code endpoint-full}). Heartbeats while idle.</li>
 * <li>{@link Mode#LOAD_BALANCE} (commands): one PUSH socket per endpoint too, each message to the next endpoint, round
 *     robin, whose socket is ready and has room. A command that finds no room within the send timeout fails with an
 *     overload.</li>
 * </ul>
 * Endpoint changes from the {@link EndpointWatcher} are applied by the I/O thread between messages.
 */
public final class PushLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushLoop.class);
    private static final Object WAKE = new Object();
    private static final int BATCH = 256;

    /** How messages are spread over the endpoints. */
    public enum Mode {
        /** Every message to every endpoint. */
        FAN_OUT,
        /** Each message to one endpoint. */
        LOAD_BALANCE
    }

    /** What the I/O thread reports about one message (commands); called on the I/O thread. */
    public interface Callback {
        /** The message was handed to the socket of {@code endpoint}. */
        void sent(String endpoint);

        /** The message could not be handed to the socket. */
        void failed(RuntimeException error);
    }

    /** A message waiting for the I/O thread. */
    public static final class Outgoing {
        final byte[] type;
        final byte[] body;
        final @Nullable Callback callback;

        /** A message of {@code type} with {@code body}; {@code callback} may be {@code null} (events). */
        public Outgoing(byte[] type, byte[] body, @Nullable Callback callback) {
            this.type = type;
            this.body = body;
            this.callback = callback;
        }
    }

    /** A message on its way, with the time it was first tried. */
    private static final class Pending {
        final Outgoing message;
        final byte @Nullable [] stream;
        final long sinceNanos;

        Pending(Outgoing message, byte @Nullable [] stream, long sinceNanos) {
            this.message = message;
            this.stream = stream;
            this.sinceNanos = sinceNanos;
        }
    }

    /**
     * One endpoint: its socket, the monitor that reports the socket's handshakes, and (fan-out) the events waiting
     * for room in it, in order. A socket is used only once its ZMTP handshake completed: JeroMQ attaches the pipe at
     * TCP connect, and in about 1 to 3 % of fresh loopback connections measured here the handshake never completes and
     * everything handed to the socket is lost, so such a socket is replaced.
     */
    private static final class Endpoint {
        final String address;
        final ZMQ.Socket socket;
        final ZMQ.Socket monitor;
        final ArrayDeque<Pending> backlog = new ArrayDeque<>();
        boolean ready;
        long connectedNanos;

        Endpoint(String address, ZMQ.Socket socket, ZMQ.Socket monitor) {
            this.address = address;
            this.socket = socket;
            this.monitor = monitor;
        }

        void close() {
            socket.close();
            monitor.close();
        }
    }

    private static final long HANDSHAKE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final java.util.concurrent.atomic.AtomicLong MONITORS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The shortest wait before retrying a full socket. ZeroMQ does not tell this thread when a socket has room again,
     * so a full socket is polled: with a socket of 1000 messages (the default high-water mark) a retry every
     * millisecond capped a busy channel near 1000 events per millisecond at best, and far less once the wait had grown;
     * 50 µs (about one park on Linux) lets a draining subscriber set the pace. The wait doubles without progress, up
     * to {@link #MAX_RETRY_NANOS}, so an endpoint that takes nothing costs a handful of wake-ups more, then as before.
     */
    private static final long MIN_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Mode mode;
    private final ZmqConnectConfig config;
    private final ZmqMeters meters;
    private final String kind;
    private final String role;
    private final BlockingQueue<Object> queue;
    private final UUID publisherId = UUID.randomUUID();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LogGate dropLog = new LogGate();
    private final long sendTimeoutNanos;
    private volatile boolean running = true;
    private volatile @Nullable Set<String> desired;
    private volatile Set<String> applied = Set.of();
    private ZMQ.@Nullable Context context;
    private @Nullable Thread thread;
    private @Nullable EndpointWatcher watcher;

    // owned by the I/O thread
    private final Map<String, Endpoint> fanOut = new LinkedHashMap<>();
    private ZMQ.@Nullable Context ioContext;
    private int nextEndpoint;
    private final ArrayDeque<Pending> stalled = new ArrayDeque<>();
    private long seq;
    private long lastActivityNanos;
    private long retryNanos = MIN_RETRY_NANOS;

    /**
     * A loop for one channel.
     *
     * @param kind {@link TransportMeters#KIND_EVENT} or {@link TransportMeters#KIND_COMMAND}
     * @param role the role in thread names, e.g. {@code pub}
     */
    public PushLoop(Mode mode, ZmqConnectConfig config, ZmqMeters meters, String kind, String role) {
        this.mode = mode;
        this.config = config;
        this.meters = meters;
        this.kind = kind;
        this.role = role;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity() + 1); // + 1: room for the close signal
        this.sendTimeoutNanos = config.sendTimeout().toNanos();
    }

    /** Resolves the target once, starts the I/O thread, and returns once it runs. */
    public void start() {
        ZMQ.Context ctx = Contexts.create(role, config.name());
        context = ctx;
        meters.gauge(TransportMeters.QUEUE_DEPTH, "Messages waiting for the I/O thread", this::queued);
        meters.gauge(TransportMeters.ENDPOINTS, "Endpoints connected", () -> applied.size());
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> run(ctx, started), Contexts.threadName(role, config.name()));
        t.setDaemon(true);
        thread = t;
        EndpointWatcher w = new EndpointWatcher(config.target(), config.name(), endpoints -> {
            desired = endpoints;
            queue.offer(WAKE);
        });
        watcher = w;
        w.start();
        t.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a message; {@code false} when the queue is full or the loop is closed. */
    public boolean offer(Outgoing message) {
        if (!running) {
            return false;
        }
        // keep the last slot for the close signal
        return queue.remainingCapacity() > 1 && queue.offer(message);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return !running;
    }

    /** Messages waiting for the I/O thread. */
    public int queued() {
        return queue.size();
    }

    /** The endpoints the I/O thread is connected (or connecting) to now. */
    public Set<String> endpoints() {
        return applied;
    }

    /** The random id this loop puts in its stream frames. */
    public UUID publisherId() {
        return publisherId;
    }

    private void run(ZMQ.Context ctx, CountDownLatch started) {
        lastActivityNanos = System.nanoTime();
        long heartbeatNanos = config.heartbeatInterval().toNanos();
        boolean heartbeats = mode == Mode.FAN_OUT && heartbeatNanos > 0;
        try {
            ioContext = ctx;
            applyEndpoints(ctx);
            started.countDown();
            while (running) {
                long waitNanos = waiting() ? retryNanos
                        : heartbeats ? Math.max(0, heartbeatNanos - (System.nanoTime() - lastActivityNanos))
                        : TimeUnit.SECONDS.toNanos(1);
                Object item = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
                applyEndpoints(ctx);
                watchHandshakes();
                flush();
                int batch = 0;
                while (item != null) {
                    if (item instanceof Outgoing o) {
                        send(o);
                    }
                    item = ++batch < BATCH && stalled.size() < config.queueCapacity() ? queue.poll() : null;
                }
                if (heartbeats && System.nanoTime() - lastActivityNanos >= heartbeatNanos) {
                    heartbeat();
                }
            }
            finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failRemaining("the I/O thread was interrupted");
        } catch (RuntimeException | Error e) {
            LOG.error("Channel '{}': the I/O thread failed; messages still queued are dropped", config.name(), e);
            failRemaining("the I/O thread failed: " + e);
        } finally {
            started.countDown();
            for (Endpoint e : fanOut.values()) {
                e.close();
            }
            fanOut.clear();
            applied = Set.of();
        }
    }

    /** Whether some message waits for room in a socket. */
    private boolean waiting() {
        if (!stalled.isEmpty()) {
            return true;
        }
        for (Endpoint e : fanOut.values()) {
            if (!e.backlog.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * On close: events still queued or waiting are sent within the linger time (best effort); commands still queued
     * or waiting fail, as the SPI says.
     */
    private void finish() throws InterruptedException {
        if (mode == Mode.FAN_OUT) {
            Object item;
            while ((item = queue.poll()) != null) {
                if (item instanceof Outgoing o) {
                    send(o);
                }
            }
            long deadline = System.nanoTime() + config.socketOptions().linger().toNanos();
            while (waiting() && System.nanoTime() < deadline) {
                TimeUnit.NANOSECONDS.sleep(retryNanos);
                watchHandshakes();
                flush();
            }
            for (Endpoint e : fanOut.values()) {
                if (!e.backlog.isEmpty()) {
                    LOG.warn("Channel '{}': closing with {} event(s) still waiting for {}", config.name(),
                            e.backlog.size(), e.address);
                }
            }
        } else {
            failRemaining("the sender was closed before the command was handed to a socket");
        }
    }

    private void failRemaining(String why) {
        Object item;
        while ((item = queue.poll()) != null) {
            if (item instanceof Outgoing o) {
                stalled.add(new Pending(o, null, 0));
            }
        }
        Pending p;
        while ((p = stalled.poll()) != null) {
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_CLOSED);
            fail(p.message, new IllegalStateException("Channel '" + config.name() + "': " + why));
        }
    }

    private void applyEndpoints(ZMQ.Context ctx) {
        Set<String> want = desired;
        if (want == null || want == applied) {
            return;
        }
        Set<String> have = applied;
        if (want.equals(have)) {
            applied = want;
            return;
        }
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String e : have) {
            if (!want.contains(e)) {
                removed.add(e);
                Endpoint gone = fanOut.remove(e);
                if (gone != null) {
                    gone.close();
                    if (!gone.backlog.isEmpty()) {
                        meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_NO_ENDPOINT);
                        LOG.warn("Channel '{}': {} event(s) waiting for {} dropped with it", config.name(),
                                gone.backlog.size(), e);
                    }
                }
            }
        }
        Set<String> now = new LinkedHashSet<>(have);
        now.removeAll(removed);
        for (String e : want) {
            if (!have.contains(e)) {
                if (connect(ctx, e)) {
                    added.add(e);
                    now.add(e);
                }
            }
        }
        applied = Collections.unmodifiableSet(now);
        LOG.info("Channel '{}' ({}): endpoints changed: added {}, removed {}; now {}", config.name(),
                mode == Mode.FAN_OUT ? "every message to every endpoint" : "each message to one endpoint", added,
                removed, now);
        if (!want.equals(now)) {
            // an endpoint could not be connected; try again when the set changes
            desired = applied;
        }
    }

    private boolean connect(ZMQ.Context ctx, String endpoint) {
        try {
            fanOut.put(endpoint, open(ctx, endpoint, new ArrayDeque<>()));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Channel '{}': cannot connect to {}: {}", config.name(), endpoint, e.toString());
            return false;
        }
    }

    private Endpoint open(ZMQ.Context ctx, String endpoint, ArrayDeque<Pending> backlog) {
        ZMQ.Socket s = newSocket(ctx, endpoint.indexOf('[') >= 0);
        String monitorAddress = "inproc://trench-zmq-monitor-" + MONITORS.incrementAndGet();
        ZMQ.Socket monitor = null;
        try {
            s.monitor(monitorAddress, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
            monitor = ctx.socket(SocketType.PAIR);
            monitor.setLinger(0);
            monitor.connect(monitorAddress);
            s.connect(endpoint);
        } catch (RuntimeException e) {
            s.close();
            if (monitor != null) {
                monitor.close();
            }
            throw e;
        }
        Endpoint opened = new Endpoint(endpoint, s, monitor);
        opened.backlog.addAll(backlog);
        return opened;
    }

    /** Reads the sockets' monitor events; replaces a socket whose handshake does not complete after connecting. */
    @SuppressWarnings("deprecation") // ZMQ.Event reads the monitor protocol socket.monitor() writes; ZEvent does not
    private void watchHandshakes() {
        long now = System.nanoTime();
        List<String> stuck = null;
        for (Endpoint e : fanOut.values()) {
            ZMQ.Event event;
            while ((event = ZMQ.Event.recv(e.monitor, ZMQ.DONTWAIT)) != null) {
                int type = event.getEvent();
                if (type == ZMQ.EVENT_CONNECTED) {
                    e.connectedNanos = now;
                } else if (type == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                    e.ready = true;
                } else if (type == ZMQ.EVENT_DISCONNECTED) {
                    e.ready = false;
                    e.connectedNanos = 0;
                }
            }
            if (!e.ready && e.connectedNanos != 0 && now - e.connectedNanos > HANDSHAKE_TIMEOUT_NANOS) {
                if (stuck == null) {
                    stuck = new ArrayList<>();
                }
                stuck.add(e.address);
            }
        }
        if (stuck != null) {
            for (String address : stuck) {
                Endpoint old = fanOut.get(address);
                LOG.warn("Channel '{}': the handshake with {} did not complete within 1 s of connecting;"
                        + " replacing its socket", config.name(), address);
                try {
                    Endpoint fresh = open(java.util.Objects.requireNonNull(ioContext), address, old.backlog);
                    old.close();
                    fanOut.put(address, fresh);
                } catch (RuntimeException ex) {
                    LOG.warn("Channel '{}': cannot reconnect to {}: {}", config.name(), address, ex.toString());
                    old.connectedNanos = now;
                }
            }
        }
    }

    private ZMQ.Socket newSocket(ZMQ.Context ctx, boolean ipv6) {
        ZmqSocketOptions o = config.socketOptions();
        ZMQ.Socket s = ctx.socket(SocketType.PUSH);
        s.setSndHWM(o.highWaterMark());
        s.setLinger(Contexts.millis(o.linger()));
        s.setReconnectIVL(Contexts.millis(o.reconnectInterval()));
        s.setHandshakeIvl(Contexts.millis(o.handshakeInterval()));
        // only to completed connections: while an endpoint is (re)connecting its messages wait in this loop, in order
        // and bounded by the send timeout, instead of in a pipe a dead peer may never drain
        s.setImmediate(true);
        if (ipv6) {
            s.setIPv6(true);
        }
        return s;
    }

    private void send(Outgoing o) {
        lastActivityNanos = System.nanoTime();
        if (mode == Mode.FAN_OUT) {
            fanOut(o);
        } else {
            balance(o);
        }
    }

    private void fanOut(Outgoing o) {
        Pending p = new Pending(o, Frames.stream(publisherId, ++seq), System.nanoTime());
        if (fanOut.isEmpty()) {
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_NO_ENDPOINT);
            logDrop("no endpoint is known; event seq {} dropped", seq);
            return;
        }
        for (Endpoint e : fanOut.values()) {
            if (e.backlog.isEmpty() && e.ready && trySend(e, p)) {
                continue;
            }
            if (e.backlog.size() >= config.queueCapacity()) {
                meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_ENDPOINT_FULL);
                logDrop("endpoint {} is full ({} events waiting for it); event seq {} dropped for it", e.address,
                        e.backlog.size(), seq);
            } else {
                e.backlog.add(p);
            }
        }
    }

    private boolean trySend(Endpoint e, Pending p) {
        Outgoing o = p.message;
        if (e.ready && sendFrames(e.socket, o.type, java.util.Objects.requireNonNull(p.stream), o.body)) {
            meters.message(TransportMeters.DIRECTION_OUT, kind, o.body.length);
            return true;
        }
        return false;
    }

    private void balance(Outgoing o) {
        if (applied.isEmpty() && stalled.isEmpty()) {
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_NO_ENDPOINT);
            fail(o, new IllegalStateException("Channel '" + config.name() + "': no endpoint is known for "
                    + config.target()));
            return;
        }
        Pending p = new Pending(o, null, System.nanoTime());
        if (!stalled.isEmpty() || !trySend(p)) {
            stalled.add(p);
        }
    }

    /**
     * Hands a command to the next endpoint, round robin, whose socket is ready and has room; {@code false} when none
     * has now.
     */
    private boolean trySend(Pending p) {
        Outgoing o = p.message;
        int n = fanOut.size();
        if (n == 0) {
            return false;
        }
        Endpoint[] all = fanOut.values().toArray(new Endpoint[0]);
        for (int i = 0; i < n; i++) {
            Endpoint e = all[(nextEndpoint + i) % n];
            if (!e.ready) {
                continue;
            }
            boolean sent;
            try {
                sent = e.socket.send(o.type, ZMQ.SNDMORE | ZMQ.DONTWAIT) && e.socket.send(o.body, 0);
            } catch (RuntimeException ex) {
                LOG.warn("Channel '{}': send to {} failed: {}", config.name(), e.address, ex.toString());
                continue;
            }
            if (sent) {
                nextEndpoint = (nextEndpoint + i + 1) % n;
                meters.message(TransportMeters.DIRECTION_OUT, kind, o.body.length);
                if (o.callback != null) {
                    try {
                        o.callback.sent(e.address);
                    } catch (RuntimeException ex) {
                        LOG.warn("Channel '{}': a completion callback threw", config.name(), ex);
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** Retries what waits for room, oldest first; gives up what waited longer than the send timeout. */
    private void flush() {
        if (!waiting()) {
            return;
        }
        long now = System.nanoTime();
        boolean progress = false;
        if (mode == Mode.LOAD_BALANCE) {
            Pending p;
            while ((p = stalled.peek()) != null) {
                if (trySend(p)) {
                    stalled.poll();
                    progress = true;
                } else if (now - p.sinceNanos > sendTimeoutNanos) {
                    stalled.poll();
                    meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_OVERLOADED);
                    fail(p.message, new dev.trench.bus.OverloadedException("Channel '" + config.name()
                            + "': no worker had room for the command within " + config.sendTimeout()
                            + " (high-water mark " + config.socketOptions().highWaterMark() + ", endpoints "
                            + applied + ")"));
                    progress = true;
                } else {
                    break;
                }
            }
        } else {
            for (Endpoint e : fanOut.values()) {
                Pending p;
                while ((p = e.backlog.peek()) != null) {
                    if (trySend(e, p)) {
                        e.backlog.poll();
                        progress = true;
                    } else if (now - p.sinceNanos > sendTimeoutNanos) {
                        e.backlog.poll();
                        meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_ENDPOINT_FULL);
                        logDrop("endpoint {} took no event for {}; event dropped for it", e.address,
                                config.sendTimeout());
                        progress = true;
                    } else {
                        break;
                    }
                }
            }
        }
        retryNanos = progress ? MIN_RETRY_NANOS : Math.min(MAX_RETRY_NANOS, retryNanos * 2);
    }

    private void heartbeat() {
        lastActivityNanos = System.nanoTime();
        byte[] stream = Frames.stream(publisherId, seq);
        for (Endpoint e : fanOut.values()) {
            if (e.ready && e.backlog.isEmpty()) { // never announce a sequence number ahead of events still waiting
                sendFrames(e.socket, Frames.HEARTBEAT_TYPE, stream, Frames.EMPTY);
            }
        }
    }

    /** Sends the three frames of an event or heartbeat; {@code false} when the socket takes no more now. */
    private boolean sendFrames(ZMQ.Socket s, byte[] type, byte[] stream, byte[] body) {
        try {
            // ZeroMQ checks the high-water mark on the first frame only: once it is taken, the rest are too
            return s.send(type, ZMQ.SNDMORE | ZMQ.DONTWAIT) && s.send(stream, ZMQ.SNDMORE) && s.send(body, 0);
        } catch (RuntimeException e) {
            LOG.warn("Channel '{}': send failed: {}", config.name(), e.toString());
            return false;
        }
    }

    private void fail(Outgoing o, RuntimeException error) {
        if (o.callback != null) {
            try {
                o.callback.failed(error);
            } catch (RuntimeException e) {
                LOG.warn("Channel '{}': a completion callback threw", config.name(), e);
            }
        }
    }

    private void logDrop(String message, Object... args) {
        if (dropLog.open()) {
            LOG.warn("Channel '" + config.name() + "': " + message + dropLog.suppressedNote(), args);
        }
    }

    /**
     * Stops the loop: events still queued are sent, commands still queued fail; sockets close with their linger and
     * the context is terminated, so no thread of this channel is left.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        queue.offer(WAKE);
        if (watcher != null) {
            watcher.close();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10) + config.socketOptions().linger().toMillis());
                if (t.isAlive()) {
                    LOG.warn("Channel '{}': the I/O thread did not stop within 10 s", config.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (context != null) {
            try {
                if (!Contexts.terminate(context, TimeUnit.SECONDS.toMillis(10))) {
                    LOG.warn("Channel '{}': ZeroMQ's threads did not stop within 10 s", config.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        meters.removeGauges();
    }
}
