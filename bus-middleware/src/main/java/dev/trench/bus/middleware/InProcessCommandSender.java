package dev.trench.bus.middleware;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.middleware.internal.NamedThreadFactory;
import dev.trench.bus.middleware.internal.Stages;
import dev.trench.bus.spi.CommandSender;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CommandSender} whose "worker" is a pool of threads in this process: commands are queued (the queue is the
 * acknowledgement) and dispatched into a target {@link CommandBus} by a fixed number of worker threads.
 *
 * <pre>{@code
 * InProcessCommandSender sender = InProcessCommandSender.builder("auction-worker", () -> workerBus)
 *         .threads(4)
 *         .queueCapacity(10_000)
 *         .onError((envelope, error) -> alerts.commandFailed(envelope.commandId(), error))
 *         .build();
 * }</pre>
 *
 * <p>The target is a {@link Supplier} so that a bus can target itself (build the bus with an async middleware that is
 * worker {@code w} and has this sender for {@code w}; see {@link AsyncMiddleware}) or another in-process bus that is
 * built later. Every delivered envelope carries the header {@link AsyncMiddleware#DELIVERED_TO} naming the worker.
 *
 * <ul>
 *   <li>{@link #send} completes with {@code Accepted(commandId, worker, "in-process", now)} as soon as the command is
 *       queued, and fails at once with {@link OverloadedException} when the queue is full (nothing is queued then).</li>
 *   <li>A failure while handling, after the acknowledgement, is logged at ERROR with the command id and passed to the
 *       {@link Builder#onError error hook}; it never ends a worker thread.</li>
 *   <li>{@link #inFlight()} counts the commands accepted and not yet handled: queued, and being handled (including a
 *       command whose retry is waiting for its delay).</li>
 *   <li>{@link #close()} refuses new commands, lets the threads finish what is queued and being handled, waiting at
 *       most the {@link Builder#closeTimeout close timeout}, then stops the threads.</li>
 * </ul>
 */
public final class InProcessCommandSender implements CommandSender {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessCommandSender.class);

    /** The endpoint named in every {@link Accepted} this sender makes. */
    public static final String ENDPOINT = "in-process";

    private final String worker;
    private final Supplier<CommandBus> target;
    private final Clock clock;
    private final @Nullable BiConsumer<Envelope<?>, Throwable> onError;
    private final Duration closeTimeout;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object drained = new Object();

    private InProcessCommandSender(Builder b) {
        this.worker = b.worker;
        this.target = b.target;
        this.clock = b.clock;
        this.onError = b.onError;
        this.closeTimeout = b.closeTimeout;
        String prefix = b.threadNamePrefix != null ? b.threadNamePrefix : "trench-" + b.worker;
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(b.queueCapacity), new NamedThreadFactory(prefix, b.daemon),
                new ThreadPoolExecutor.AbortPolicy());
        this.executor.prestartAllCoreThreads();
    }

    /**
     * Starts a configuration.
     *
     * @param worker the worker service this sender stands for, as named in {@code HandledAsynchronously}
     * @param target the bus the worker threads dispatch into
     */
    public static Builder builder(String worker, Supplier<CommandBus> target) {
        return new Builder(worker, target);
    }

    /** The worker service this sender stands for. */
    public String worker() {
        return worker;
    }

    @Override
    public CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope) {
        if (spec == null || envelope == null) {
            return CompletableFuture.failedFuture(new NullPointerException(spec == null ? "spec" : "envelope"));
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException(spec, envelope));
        }
        Envelope<?> delivered = worker.equals(envelope.header(AsyncMiddleware.DELIVERED_TO)) ? envelope
                : envelope.withHeader(AsyncMiddleware.DELIVERED_TO, worker);
        inFlight.incrementAndGet();
        try {
            executor.execute(() -> handle(spec, delivered));
        } catch (RejectedExecutionException e) {
            finished();
            if (closed.get() || executor.isShutdown()) {
                return CompletableFuture.failedFuture(closedException(spec, envelope));
            }
            return CompletableFuture.failedFuture(new OverloadedException("Command " + spec.name() + " "
                    + envelope.commandId() + " refused: the in-process queue of worker '" + worker + "' is full ("
                    + executor.getQueue().size() + " queued, capacity " + capacity() + ")"));
        }
        return CompletableFuture.completedFuture(new Accepted(envelope.commandId(), worker, ENDPOINT,
                clock.instant()));
    }

    private RejectedExecutionException closedException(CommandSpec<?> spec, Envelope<?> envelope) {
        return new RejectedExecutionException("Command " + spec.name() + " " + envelope.commandId()
                + " refused: the in-process sender of worker '" + worker + "' is closed");
    }

    private int capacity() {
        return executor.getQueue().size() + executor.getQueue().remainingCapacity();
    }

    /** Runs on a worker thread; never throws. */
    private void handle(CommandSpec<?> spec, Envelope<?> envelope) {
        CompletionStage<?> stage;
        try {
            stage = dispatch(target.get(), envelope);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new IllegalStateException("the target bus returned null"));
            }
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        }
        stage.whenComplete((result, error) -> {
            try {
                if (error != null) {
                    failed(spec, envelope, Stages.unwrap(error));
                }
            } finally {
                finished();
            }
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletionStage<?> dispatch(CommandBus bus, Envelope<?> envelope) {
        return bus.dispatch((Envelope<? extends Command<Object>>) (Envelope) envelope);
    }

    private void failed(CommandSpec<?> spec, Envelope<?> envelope, Throwable error) {
        LOG.error("In-process worker '{}' failed to handle command {} {} (accepted earlier): {}", worker, spec.name(),
                envelope.commandId(), error.toString(), error);
        if (onError != null) {
            try {
                onError.accept(envelope, error);
            } catch (RuntimeException e) {
                LOG.warn("The error hook of in-process worker '{}' threw for command {}; ignored", worker,
                        envelope.commandId(), e);
            }
        }
    }

    private void finished() {
        if (inFlight.decrementAndGet() == 0 && closed.get()) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Commands accepted and not yet handled: queued, and being handled by the target bus. */
    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Refuses new commands, waits (at most the close timeout) until the queued commands and those being handled are
     * done, then stops the worker threads. Commands still queued when the timeout passes are dropped with a WARN
     * naming how many. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        long start = System.nanoTime();
        long timeout = saturatedNanos(closeTimeout);
        try {
            boolean terminated = executor.awaitTermination(timeout, TimeUnit.NANOSECONDS);
            if (!terminated) {
                List<Runnable> dropped = executor.shutdownNow();
                LOG.warn("In-process worker '{}' closed after {} with {} commands still queued; they were dropped",
                        worker, closeTimeout, dropped.size());
                return;
            }
            synchronized (drained) {
                long remaining;
                while (inFlight.get() > 0 && (remaining = timeout - (System.nanoTime() - start)) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(drained, remaining);
                }
            }
            if (inFlight.get() > 0) {
                LOG.warn("In-process worker '{}' closed after {} with {} commands still being handled elsewhere"
                        + " (e.g. waiting for a retry)", worker, closeTimeout, inFlight.get());
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "InProcessCommandSender{worker=" + worker + ", threads=" + executor.getCorePoolSize() + ", inFlight="
                + inFlight.get() + (closed.get() ? ", closed" : "") + "}";
    }

    /** Configures an {@link InProcessCommandSender}; each setter validates its value and names the field. */
    public static final class Builder {
        /** Default number of worker threads. */
        public static final int DEFAULT_THREADS = 1;
        /** Default queue capacity. */
        public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
        /** Default close timeout. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

        private final String worker;
        private final Supplier<CommandBus> target;
        private int threads = DEFAULT_THREADS;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private @Nullable String threadNamePrefix;
        private boolean daemon;
        private @Nullable BiConsumer<Envelope<?>, Throwable> onError;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(String worker, Supplier<CommandBus> target) {
            if (worker == null || worker.isBlank()) {
                throw new IllegalArgumentException("worker: must name a worker service, was "
                        + (worker == null ? "null" : "'" + worker + "'"));
            }
            this.worker = worker;
            this.target = Objects.requireNonNull(target, "target");
        }

        /** Number of worker threads, at least 1; {@value #DEFAULT_THREADS} by default. */
        public Builder threads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("threads: must be >= 1, was " + value);
            }
            this.threads = value;
            return this;
        }

        /** Commands that may wait in the queue, at least 1; {@value #DEFAULT_QUEUE_CAPACITY} by default. */
        public Builder queueCapacity(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("queueCapacity: must be >= 1, was " + value);
            }
            this.queueCapacity = value;
            return this;
        }

        /** Worker threads are named {@code prefix-1}, {@code prefix-2}, ...; {@code trench-<worker>} by default. */
        public Builder threadNamePrefix(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("threadNamePrefix: must not be blank, was "
                        + (value == null ? "null" : "'" + value + "'"));
            }
            this.threadNamePrefix = value;
            return this;
        }

        /**
         * Whether the worker threads are daemon threads; {@code false} by default, so that the JVM does not exit with
         * accepted commands unhandled: call {@link #close()} on shutdown.
         */
        public Builder daemon(boolean value) {
            this.daemon = value;
            return this;
        }

        /** Called with the envelope and the failure of a command that failed after it was accepted. */
        public Builder onError(BiConsumer<Envelope<?>, Throwable> hook) {
            this.onError = Objects.requireNonNull(hook, "onError");
            return this;
        }

        /** How long {@link #close()} waits for queued work; not negative; 30 seconds by default. */
        public Builder closeTimeout(Duration value) {
            Objects.requireNonNull(value, "closeTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("closeTimeout: must not be negative, was " + value);
            }
            this.closeTimeout = value;
            return this;
        }

        /** The clock for {@link Accepted#acceptedAt()}; the system UTC clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds the sender and starts its worker threads. */
        public InProcessCommandSender build() {
            return new InProcessCommandSender(this);
        }
    }
}
