package dev.trench.bus.testkit;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.spi.CommandSender;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link CommandSender} that records every envelope sent and acknowledges it, as a worker would, without a network.
 * By default each send is accepted at once; {@link #holdAcks()} keeps the acknowledgements back until
 * {@link #releaseHeld()} (to test what a caller sees while a worker has not answered), and {@link #failWith(Throwable)}
 * makes sends fail (to test an unreachable or overloaded worker). Safe to share between threads.
 *
 * <p>The {@link Accepted} names the worker the command declares with {@link HandledAsynchronously} (or
 * {@code recording} when it declares none), the endpoint {@value #ENDPOINT}, and the clock's time.
 */
public final class RecordingCommandSender implements CommandSender {
    /** The endpoint named in every {@link Accepted} this sender makes. */
    public static final String ENDPOINT = "recording";

    private enum Mode { ACCEPT, HOLD, FAIL }

    private final Clock clock;
    private final List<Envelope<?>> sent = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();
    private Mode mode = Mode.ACCEPT;
    private Throwable failure;
    private boolean closed;

    private record Held(CommandSpec<?> spec, Envelope<?> envelope, CompletableFuture<Accepted> ack) {
    }

    /** A sender that accepts at once, with acknowledgement times from the system UTC clock. */
    public RecordingCommandSender() {
        this(Clock.systemUTC());
    }

    /** A sender that accepts at once, with acknowledgement times from {@code clock} (e.g. a {@link ManualClock}). */
    public RecordingCommandSender(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records the envelope and acknowledges it, holds the acknowledgement, or fails, as configured. */
    @Override
    public synchronized CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(envelope, "envelope");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("RecordingCommandSender is closed"));
        }
        sent.add(envelope);
        return switch (mode) {
            case ACCEPT -> CompletableFuture.completedFuture(accepted(spec, envelope));
            case FAIL -> CompletableFuture.failedFuture(failure);
            case HOLD -> {
                CompletableFuture<Accepted> ack = new CompletableFuture<>();
                held.add(new Held(spec, envelope, ack));
                yield ack;
            }
        };
    }

    /** From now on, accept every send at once (the default). Acknowledgements already held stay held. */
    public synchronized RecordingCommandSender acceptAll() {
        mode = Mode.ACCEPT;
        failure = null;
        return this;
    }

    /** From now on, keep acknowledgements back until {@link #releaseHeld()} or {@link #failHeld(Throwable)}. */
    public synchronized RecordingCommandSender holdAcks() {
        mode = Mode.HOLD;
        failure = null;
        return this;
    }

    /**
     * From now on, fail every send with {@code error} (e.g. an {@link dev.trench.bus.OverloadedException}). The
     * envelopes are still recorded.
     */
    public synchronized RecordingCommandSender failWith(Throwable error) {
        failure = Objects.requireNonNull(error, "error");
        mode = Mode.FAIL;
        return this;
    }

    /**
     * Acknowledges every held send, in the order sent.
     *
     * @return how many were released
     */
    public int releaseHeld() {
        List<Held> released = drainHeld();
        for (Held h : released) {
            h.ack().complete(accepted(h.spec(), h.envelope()));
        }
        return released.size();
    }

    /**
     * Fails every held send with {@code error}, in the order sent.
     *
     * @return how many were failed
     */
    public int failHeld(Throwable error) {
        Objects.requireNonNull(error, "error");
        List<Held> failed = drainHeld();
        for (Held h : failed) {
            h.ack().completeExceptionally(error);
        }
        return failed.size();
    }

    /** Every envelope sent so far, in order (a snapshot). */
    public synchronized List<Envelope<?>> envelopes() {
        return List.copyOf(sent);
    }

    /** The commands of {@link #envelopes()}, in order (a snapshot). */
    public synchronized List<Command<?>> commands() {
        List<Command<?>> commands = new ArrayList<>(sent.size());
        for (Envelope<?> e : sent) {
            commands.add(e.command());
        }
        return List.copyOf(commands);
    }

    /** Forgets the envelopes recorded so far (held acknowledgements stay held). */
    public synchronized void clear() {
        sent.clear();
    }

    /** The number of held acknowledgements. */
    @Override
    public synchronized int inFlight() {
        return held.size();
    }

    /** Refuses further sends and fails held acknowledgements, as a transport that closes does. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        failHeld(new IllegalStateException("RecordingCommandSender closed before the worker acknowledged"));
    }

    private synchronized List<Held> drainHeld() {
        List<Held> drained = List.copyOf(held);
        held.clear();
        return drained;
    }

    private Accepted accepted(CommandSpec<?> spec, Envelope<?> envelope) {
        String worker = spec.capability(HandledAsynchronously.class).map(HandledAsynchronously::worker)
                .orElse(ENDPOINT);
        return new Accepted(envelope.commandId(), worker, ENDPOINT, clock.instant());
    }

    @Override
    public synchronized String toString() {
        return "RecordingCommandSender{" + sent.size() + " sent, " + held.size() + " held, " + mode + "}";
    }
}
