package dev.trench.transport.zmq;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.CommandSender;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.zmq.internal.Frames;
import dev.trench.transport.zmq.internal.PushLoop;
import dev.trench.transport.zmq.internal.ZmqMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sends commands to a worker service over ZeroMQ, fire-and-forget: one PUSH socket per endpoint of the target (a fixed
 * list or every address of a DNS name), each command to one worker, round robin over the workers whose connection is
 * up and whose queue has room. Pair it
 * with a {@link ZmqCommandReceiver} on each worker; the same command can go over HTTP instead by configuring another
 * {@link CommandSender}, without touching business code.
 *
 * <p><b>Weaker than the HTTP acknowledgement.</b> The stage completes with {@link Accepted} once the I/O thread handed
 * the command to the socket, not when a worker has it: a worker that is down, restarting or killed loses the commands
 * queued for it, and nothing is resent. Use it where that is acceptable (or where the caller can tell from its own
 * data); use the HTTP sender where a command must not be lost silently. {@link Accepted#endpoint()} names the worker's
 * endpoint whose socket took the command.
 *
 * <p>The stage fails with {@link OverloadedException} when the queue in front of the I/O thread is full or every
 * worker's socket queue is at its high-water mark, with {@link WireFormatException} when the command cannot be
 * encoded, and with {@link IllegalStateException} when no endpoint is known or the sender is closed. Stages complete
 * on the I/O thread: continuations attached to them must not block.
 */
public final class ZmqCommandSender implements CommandSender {
    private final ZmqConnectConfig config;
    private final WireCodec codec;
    private final ZmqMeters meters;
    private final PushLoop loop;
    private final Map<String, byte[]> typeFrames = new ConcurrentHashMap<>();

    private ZmqCommandSender(ZmqConnectConfig config, WireCodec codec, @Nullable MeterRegistry registry) {
        this.config = config;
        this.codec = codec;
        this.meters = new ZmqMeters(registry, config.name());
        this.loop = new PushLoop(PushLoop.Mode.LOAD_BALANCE, config, meters, TransportMeters.KIND_COMMAND, "send");
    }

    /**
     * Starts a sender: resolves the target once, connects, starts the I/O thread.
     *
     * @param config   its {@link ZmqConnectConfig#name()} is the worker service, as in
     *                 {@link dev.trench.bus.HandledAsynchronously}
     * @param registry where to record the {@link TransportMeters}; {@code null} for none
     */
    public static ZmqCommandSender start(ZmqConnectConfig config, WireCodec codec, @Nullable MeterRegistry registry) {
        ZmqCommandSender sender = new ZmqCommandSender(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(codec, "codec"), registry);
        sender.loop.start();
        return sender;
    }

    @Override
    public CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(envelope, "envelope");
        if (loop.isClosed()) {
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_CLOSED);
            return CompletableFuture.failedFuture(closed());
        }
        byte[] body;
        try {
            body = codec.encodeCommand(envelope);
        } catch (WireFormatException e) {
            meters.reject(TransportMeters.DIRECTION_OUT, e.reason().tag());
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        long startNanos = System.nanoTime();
        byte[] typeFrame = typeFrames.computeIfAbsent(spec.name(), Frames::type);
        PushLoop.Callback callback = new PushLoop.Callback() {
            @Override
            public void sent(String endpoint) {
                meters.ackLatency().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                accepted.complete(new Accepted(envelope.commandId(), config.name(), endpoint, Instant.now()));
            }

            @Override
            public void failed(RuntimeException error) {
                accepted.completeExceptionally(error);
            }
        };
        if (!loop.offer(new PushLoop.Outgoing(typeFrame, body, callback))) {
            if (loop.isClosed()) {
                meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_CLOSED);
                return CompletableFuture.failedFuture(closed());
            }
            meters.reject(TransportMeters.DIRECTION_OUT, TransportMeters.REASON_OVERLOADED);
            return CompletableFuture.failedFuture(new OverloadedException("command sender '" + config.name()
                    + "': queue full (" + config.queueCapacity() + " commands waiting)"));
        }
        return accepted;
    }

    private IllegalStateException closed() {
        return new IllegalStateException("command sender '" + config.name() + "' is closed");
    }

    /** Commands queued for the I/O thread, not yet handed to the socket. */
    @Override
    public int inFlight() {
        return loop.queued();
    }

    /** The endpoints the socket is connected to now. */
    public Set<String> endpoints() {
        return loop.endpoints();
    }

    /** The configuration. */
    public ZmqConnectConfig config() {
        return config;
    }

    /**
     * Stops: commands not yet handed to the socket fail, the socket closes with the configured linger (what it still
     * holds is sent within it, or dropped), and every thread of this sender has ended when this returns. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return "ZmqCommandSender{" + config.name() + " -> " + config.target() + "}";
    }
}
