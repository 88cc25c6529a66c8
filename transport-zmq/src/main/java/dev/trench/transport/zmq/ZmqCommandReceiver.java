package dev.trench.transport.zmq;

import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.Envelope;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.internal.Previews;
import dev.trench.transport.zmq.internal.Frames;
import dev.trench.transport.zmq.internal.LogGate;
import dev.trench.transport.zmq.internal.PullLoop;
import dev.trench.transport.zmq.internal.ZmqMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's end of {@link ZmqCommandSender}: one PULL socket that binds, one receive thread that decodes each
 * command with the {@link WireCodec} and dispatches it into the worker's {@link CommandBus} with
 * {@link CommandBus#dispatch(Envelope)}, keeping its id, correlation id, headers and deadline.
 *
 * <p>At most {@link ZmqBindConfig#maxInFlight()} dispatches run at once; beyond that the receiver stops reading, the
 * socket's queue fills, and senders see an overload. A bus without asynchronous middleware runs the handlers on the
 * receive thread. Nobody waits for the outcome of a command sent this way, so a failed command is logged here with its
 * id (the bus's own middleware records it too).
 *
 * <p>A message that cannot be read (wrong frames, malformed JSON, unknown type, a field the command refuses) is
 * counted under {@code trench.transport.rejects} with its reason, logged with what identifies it and skipped; the
 * socket, the other senders' connections and the commands in flight are not affected.
 */
public final class ZmqCommandReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZmqCommandReceiver.class);

    private final ZmqBindConfig config;
    private final WireCodec codec;
    private final CommandBus bus;
    private final ZmqMeters meters;
    private final PullLoop loop;
    private final Semaphore permits;
    private final LogGate logGate = new LogGate();

    private ZmqCommandReceiver(ZmqBindConfig config, WireCodec codec, CommandBus bus,
            @Nullable MeterRegistry registry) {
        this.config = config;
        this.codec = codec;
        this.bus = bus;
        this.meters = new ZmqMeters(registry, config.name());
        this.permits = new Semaphore(config.maxInFlight());
        this.loop = new PullLoop(config, "recv", 4L * codec.maxMessageBytes(), 2, this::handle);
    }

    /**
     * Binds and starts receiving; returns once bound.
     *
     * @param registry where to record the {@link TransportMeters}; {@code null} for none
     * @throws IllegalStateException naming the endpoint when it cannot be bound
     */
    public static ZmqCommandReceiver start(ZmqBindConfig config, WireCodec codec, CommandBus bus,
            @Nullable MeterRegistry registry) {
        ZmqCommandReceiver receiver = new ZmqCommandReceiver(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(codec, "codec"), Objects.requireNonNull(bus, "bus"), registry);
        receiver.meters.gauge(TransportMeters.QUEUE_DEPTH, "Commands dispatched and not yet completed",
                receiver::inFlight);
        try {
            receiver.loop.start();
        } catch (RuntimeException e) {
            receiver.meters.removeGauges();
            throw e;
        }
        return receiver;
    }

    /** The endpoint bound, with the actual port. */
    public String endpoint() {
        return loop.endpoint();
    }

    /** Commands dispatched and not yet completed. */
    public int inFlight() {
        return config.maxInFlight() - permits.availablePermits();
    }

    /** The configuration. */
    public ZmqBindConfig config() {
        return config;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handle(List<byte[]> frames, int extraFrames) {
        if (frames.size() != 2 || extraFrames > 0) {
            meters.reject(TransportMeters.DIRECTION_IN, TransportMeters.REASON_BAD_FRAME);
            if (logGate.open()) {
                LOG.warn("Channel '{}': skipped a command with {} frames (expected 2: type, body); first frame starts"
                        + " with '{}'{}", config.name(), frames.size() + extraFrames,
                        frames.isEmpty() ? "" : Previews.of(frames.get(0), 40), logGate.suppressedNote());
            }
            return;
        }
        byte[] type = frames.get(0);
        byte[] body = frames.get(1);
        Envelope<?> envelope;
        try {
            envelope = codec.decodeCommand(body);
            String decodedType = codec.types().commandName(envelope.command().getClass()).orElse("?");
            if (!decodedType.equals(Frames.typeText(type))) {
                throw new WireFormatException(WireFormatException.Reason.UNKNOWN_TYPE, "type", decodedType,
                        "type frame '" + Frames.typeText(type) + "' does not match the envelope's type '"
                                + decodedType + "'", null);
            }
        } catch (WireFormatException e) {
            meters.reject(TransportMeters.DIRECTION_IN, e.reason().tag());
            if (logGate.open()) {
                LOG.warn("Channel '{}': skipped an unreadable command ({}{}): type frame '{}', {} bytes: {}; body"
                        + " starts with '{}'{}", config.name(), e.reason(), e.field() == null ? "" : " " + e.field(),
                        Frames.typeText(type), body.length, e.getMessage(), Previews.of(body, 60),
                        logGate.suppressedNote());
            }
            return;
        }
        if (!acquire()) {
            return; // closing: the command is dropped with the rest of the socket's queue
        }
        meters.message(TransportMeters.DIRECTION_IN, TransportMeters.KIND_COMMAND, body.length);
        CompletionStage<?> stage;
        try {
            stage = bus.dispatch((Envelope) envelope);
        } catch (RuntimeException e) {
            permits.release();
            meters.reject(TransportMeters.DIRECTION_IN, TransportMeters.REASON_HANDLER_FAILED);
            LOG.warn("Channel '{}': dispatching command {} {} threw", config.name(), Frames.typeText(type),
                    envelope.commandId(), e);
            return;
        }
        Envelope<? extends Command<?>> dispatched = envelope;
        stage.whenComplete((result, error) -> {
            permits.release();
            if (error != null) {
                LOG.warn("Channel '{}': command {} {} (correlation {}) failed: {}", config.name(),
                        Frames.typeText(type), dispatched.commandId(), dispatched.correlationId(), error.toString());
            }
        });
    }

    private boolean acquire() {
        try {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (!loop.isRunning()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops receiving (commands still in the socket's queue are lost, as with any ZeroMQ peer that goes away), waits
     * up to 10 s for the dispatches in flight to complete, and ends the receive thread. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
        try {
            if (!permits.tryAcquire(config.maxInFlight(), 10, TimeUnit.SECONDS)) {
                LOG.warn("Channel '{}': {} command(s) still in flight after 10 s", config.name(), inFlight());
            } else {
                permits.release(config.maxInFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        meters.removeGauges();
    }

    @Override
    public String toString() {
        return "ZmqCommandReceiver{" + config.name() + " @ " + endpoint() + "}";
    }
}
