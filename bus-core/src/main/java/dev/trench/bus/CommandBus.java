package dev.trench.bus;

import dev.trench.bus.internal.DefaultCommandBus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Dispatches commands through a chain of {@link Middleware} to their handlers. Built once with {@link #builder()},
 * immutable afterwards, safe for concurrent use.
 *
 * <pre>{@code
 * CommandBus bus = CommandBus.builder()
 *         .register(RaiseBid.SPEC)
 *         .append(new LoggingMiddleware(...))
 *         .append(new RetryMiddleware(...))
 *         .handlerFactory(injector::getInstance)
 *         .build();                         // every configuration problem at once, or a working bus
 * Accepted accepted = bus.dispatchAndWait(new RaiseBid("A1", "alice", new BigDecimal("12.50")));
 * }</pre>
 *
 * <p>Failures reach the caller as the handler's own exception: the stage returned by {@link #dispatch(Command)}
 * completes exceptionally with it (not with a {@code CompletionException} around it), and
 * {@link #dispatchAndWait(Command)} rethrows it.
 */
public interface CommandBus {

    /**
     * Dispatches a command. Inside a handler, the new command is a child of the one being handled: it carries the
     * same correlation id and the parent's id as causation id.
     *
     * @return a stage completing with the command's result, or exceptionally with the failure (the handler's own
     *     exception; {@link UnknownCommandException} for an unregistered type)
     */
    <R> CompletionStage<R> dispatch(Command<R> command);

    /**
     * Dispatches a command with existing metadata: a command that arrived over a transport, or a dead letter sent
     * again.
     */
    <R> CompletionStage<R> dispatch(Envelope<? extends Command<? extends R>> envelope);

    /**
     * Dispatches and waits for the result. Rethrows the handler's exception as is; waits at most until the envelope's
     * deadline when it has one.
     *
     * @throws java.util.concurrent.CancellationException when the waiting thread is interrupted (its interrupt flag
     *     is set again)
     */
    <R> R dispatchAndWait(Command<R> command);

    /** The spec registered for a command type. */
    Optional<CommandSpec<?>> spec(Class<?> commandType);

    /** Every registered spec, in registration order. */
    List<CommandSpec<?>> specs();

    /** A human-readable report of the bus: its middleware in order, and per command its handlers and capabilities. */
    String describe();

    /** A new unique, time-ordered id from this bus's generator. */
    MessageId newId();

    /** The bus clock. */
    Clock clock();

    static Builder builder() {
        return new Builder();
    }

    /**
     * Collects the registrations and middleware; {@link #build()} validates everything and fails with one
     * {@link BusConfigurationException} listing every problem.
     */
    final class Builder {
        private final List<CommandSpec<?>> specs = new ArrayList<>();
        private final List<Middleware> middleware = new ArrayList<>();
        private HandlerFactory handlerFactory = HandlerFactory.reflective();
        private Clock clock = Clock.systemUTC();
        private String name = "bus";

        private Builder() {
        }

        /** Registers a command type with its handlers and capabilities. */
        public Builder register(CommandSpec<?> spec) {
            specs.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /** Appends a middleware: the first appended is the outermost link. */
        public Builder append(Middleware link) {
            middleware.add(Objects.requireNonNull(link, "middleware"));
            return this;
        }

        /** Creates handlers given as classes; {@link HandlerFactory#reflective()} by default. */
        public Builder handlerFactory(HandlerFactory factory) {
            this.handlerFactory = Objects.requireNonNull(factory, "handlerFactory");
            return this;
        }

        /** The clock for creation times and ids; the system UTC clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** A name for logs and the boot report (e.g. {@code worker-1}). */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /**
         * Validates the configuration and builds the bus.
         *
         * @throws BusConfigurationException listing every problem found
         */
        public CommandBus build() {
            return DefaultCommandBus.build(name, List.copyOf(specs), List.copyOf(middleware), handlerFactory, clock);
        }
    }
}
