package dev.trench.bus.middleware;

import dev.trench.bus.Accepted;
import dev.trench.bus.BootCheck;
import dev.trench.bus.Capability;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.Middleware;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.Outcome;
import dev.trench.bus.middleware.internal.Stages;
import dev.trench.bus.spi.CommandSender;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Honours {@link HandledAsynchronously}: a command handled by another worker service is handed to the
 * {@link CommandSender} configured for that worker, and its dispatch completes with {@link Accepted} as soon as the
 * worker acknowledged it, not when it was handled. Commands without the capability, and commands for a worker this
 * node is, go down the chain unchanged.
 *
 * <pre>{@code
 * AsyncMiddleware async = AsyncMiddleware.builder()
 *         .localWorker("auction-api")                     // the worker names this node is
 *         .sender("auction-worker", httpSender)           // where the others' commands go
 *         .maxInFlight(10_000)
 *         .build();
 * }</pre>
 *
 * <h2>Bounded</h2>
 * At most {@link #maxInFlight()} sends wait for their acknowledgement at once. One more fails at once with
 * {@link OverloadedException}; nothing is queued. {@link #inFlight()} feeds the {@code trench.async.in.flight} gauge.
 *
 * <h2>Boot check</h2>
 * For every registered command that declares {@code HandledAsynchronously(w)}: when this node is {@code w} its handlers
 * are created here; otherwise when a sender for {@code w} is configured, the bus is told the command is handled
 * elsewhere (its handlers are not created on this node); otherwise building the bus fails, naming the command and the
 * worker and listing the workers configured.
 *
 * <h2>A node that sends to itself</h2>
 * A node may both be worker {@code w} and have a sender for {@code w} (e.g. an {@link InProcessCommandSender} whose
 * target is the same bus, for a single-process deployment). Then a new dispatch is sent, so its caller gets the
 * acknowledgement semantics, and the envelope the sender delivers, marked with the header {@link #DELIVERED_TO}
 * naming {@code w}, is handled here.
 *
 * <p>Place it inside logging, metrics and events, and outside retry: see {@link StandardMiddleware}.
 */
public final class AsyncMiddleware implements Middleware {

    /** The default of {@link Builder#maxInFlight(int)}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    /**
     * Header naming the worker an envelope was delivered to. A sender that delivers the envelope to a bus in which
     * this node's async middleware would send it again (the same worker configured as local and as a sender) sets it,
     * so that the delivered envelope is handled instead of sent in a loop.
     */
    public static final String DELIVERED_TO = "trench-delivered-to";

    private final Set<String> localWorkers;
    private final Map<String, CommandSender> senders;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    private AsyncMiddleware(Builder b) {
        this.localWorkers = Set.copyOf(b.localWorkers);
        this.senders = Map.copyOf(b.senders);
        this.maxInFlight = b.maxInFlight;
    }

    /** Starts a configuration; with no worker and no sender it hands nothing off. */
    public static Builder builder() {
        return new Builder();
    }

    /** Sends handed to a sender whose acknowledgement has not arrived yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most sends that may wait for an acknowledgement at once. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** The worker names this node is. */
    public Set<String> localWorkers() {
        return localWorkers;
    }

    /** The workers a sender is configured for. */
    public Set<String> remoteWorkers() {
        return senders.keySet();
    }

    @Override
    public Set<Class<? extends Capability>> honours() {
        return Set.of(HandledAsynchronously.class);
    }

    @Override
    public void check(BootCheck boot) {
        for (CommandSpec<?> spec : boot.commands()) {
            spec.capability(HandledAsynchronously.class).ifPresent(async -> {
                String worker = async.worker();
                if (localWorkers.contains(worker)) {
                    return;
                }
                if (senders.containsKey(worker)) {
                    boot.handledElsewhere(spec);
                } else {
                    boot.problem("Command " + spec.commandType().getName() + " ('" + spec.name()
                            + "') is handled asynchronously by worker '" + worker + "', but " + name()
                            + " has no sender for it and this node is not that worker; local workers: "
                            + new TreeSet<>(localWorkers) + ", workers with a sender: "
                            + new TreeSet<>(senders.keySet()));
                }
            });
        }
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        Envelope<?> envelope = chain.envelope();
        HandledAsynchronously async = chain.spec().capability(HandledAsynchronously.class).orElse(null);
        if (async == null) {
            return chain.proceed(envelope);
        }
        String worker = async.worker();
        CommandSender sender = senders.get(worker);
        if (localWorkers.contains(worker) && (sender == null || worker.equals(envelope.header(DELIVERED_TO)))) {
            return chain.proceed(envelope);
        }
        if (sender == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Command " + chain.spec().name() + " "
                    + envelope.commandId() + " is handled by worker '" + worker + "', which " + name()
                    + " has no sender for; the bus's boot check should have reported it"));
        }
        if (!reserve()) {
            return CompletableFuture.failedFuture(new OverloadedException("Command " + chain.spec().name() + " "
                    + envelope.commandId() + " refused: " + maxInFlight + " commands already wait for a worker's"
                    + " acknowledgement (AsyncMiddleware maxInFlight)"));
        }
        CompletionStage<Accepted> sent;
        try {
            sent = sender.send(chain.spec(), envelope);
            if (sent == null) {
                throw new IllegalStateException("CommandSender " + sender.getClass().getName()
                        + " returned null from send() for worker '" + worker + "'");
            }
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        sent.whenComplete((accepted, error) -> {
            inFlight.decrementAndGet();
            if (error != null) {
                result.completeExceptionally(Stages.unwrap(error));
            } else if (accepted == null) {
                result.completeExceptionally(new IllegalStateException("CommandSender " + sender.getClass().getName()
                        + " acknowledged command " + envelope.commandId() + " with null instead of an Accepted"));
            } else {
                result.complete(Outcome.accepted(envelope, accepted));
            }
        });
        return result;
    }

    private boolean reserve() {
        while (true) {
            int current = inFlight.get();
            if (current >= maxInFlight) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return "AsyncMiddleware{local=" + new TreeSet<>(localWorkers) + ", senders=" + new TreeSet<>(senders.keySet())
                + ", maxInFlight=" + maxInFlight + "}";
    }

    /** Configures an {@link AsyncMiddleware}; each setter validates its value and names the field when it refuses. */
    public static final class Builder {
        private final Set<String> localWorkers = new LinkedHashSet<>();
        private final Map<String, CommandSender> senders = new LinkedHashMap<>();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder() {
        }

        /** Adds a worker name this node is: commands handled by it run here. */
        public Builder localWorker(String worker) {
            localWorkers.add(requireWorker("localWorker", worker));
            return this;
        }

        /** Adds several worker names this node is. */
        public Builder localWorkers(Iterable<String> workers) {
            Objects.requireNonNull(workers, "localWorkers");
            for (String w : workers) {
                localWorker(w);
            }
            return this;
        }

        /** The sender for commands handled by {@code worker}; one sender per worker. */
        public Builder sender(String worker, CommandSender sender) {
            requireWorker("sender", worker);
            Objects.requireNonNull(sender, "sender: the CommandSender for worker '" + worker + "' is required");
            if (senders.putIfAbsent(worker, sender) != null) {
                throw new IllegalArgumentException("sender: worker '" + worker + "' already has a sender");
            }
            return this;
        }

        /** The most sends waiting for an acknowledgement at once, at least 1; {@value #DEFAULT_MAX_IN_FLIGHT}. */
        public Builder maxInFlight(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxInFlight: must be >= 1, was " + value);
            }
            this.maxInFlight = value;
            return this;
        }

        /** Builds the middleware. */
        public AsyncMiddleware build() {
            return new AsyncMiddleware(this);
        }

        private static String requireWorker(String field, String worker) {
            if (worker == null || worker.isBlank()) {
                throw new IllegalArgumentException(field + ": must name a worker service, was "
                        + (worker == null ? "null" : "'" + worker + "'"));
            }
            return worker;
        }
    }
}
