package dev.trench.bus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Everything the bus needs to know about a command type, declared in one place: its logical name (used on the wire
 * and in metrics), its ordered handlers, and its capabilities. Keep it next to the command:
 *
 * <pre>{@code
 * public static final CommandSpec<RaiseBid> SPEC = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
 *         .handler(AddUserToAuction.class)
 *         .handler(CheckBidAmount.class)
 *         .handler(NotifyParticipants.class)
 *         .capability(RetryOnFail.upTo(3).withDelay(RetryDelay.exponential(ofMillis(50), 2, ofSeconds(2))))
 *         .capability(HandledAsynchronously.by("auction-worker"))
 *         .build();
 * }</pre>
 *
 * <p>Handlers run in the order declared. A handler given as a class is created when the bus is built, by the bus's
 * {@link HandlerFactory} (Guice, with the Guice module); a handler given as an instance is used as is.
 *
 * @param <C> the command type
 */
public final class CommandSpec<C extends Command<?>> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

    private final Class<C> commandType;
    private final String name;
    private final List<HandlerRef> handlers;
    private final List<Capability> capabilities;
    /** The capabilities, and each wrapped once, so that a middleware's look-up on every dispatch allocates nothing. */
    private final Capability[] capabilityArray;
    private final Optional<?>[] found;

    private CommandSpec(Builder<C> b) {
        this.commandType = b.commandType;
        this.name = b.name;
        this.handlers = Collections.unmodifiableList(new ArrayList<>(b.handlers));
        this.capabilities = Collections.unmodifiableList(new ArrayList<>(b.capabilities));
        this.capabilityArray = b.capabilities.toArray(new Capability[0]);
        this.found = new Optional<?>[capabilityArray.length];
        for (int i = 0; i < capabilityArray.length; i++) {
            found[i] = Optional.of(capabilityArray[i]);
        }
    }

    /**
     * Starts a spec.
     *
     * @param commandType the command's class
     * @param name        its logical name: lowercase words separated by dots or dashes, e.g. {@code auction.raise-bid}
     */
    public static <C extends Command<?>> Builder<C> of(Class<C> commandType, String name) {
        return new Builder<>(commandType, name);
    }

    public Class<C> commandType() {
        return commandType;
    }

    /** The logical name, e.g. {@code auction.raise-bid}: the type name on the wire and the {@code command} tag. */
    public String name() {
        return name;
    }

    /** The handlers, in the order they run. */
    public List<HandlerRef> handlers() {
        return handlers;
    }

    public List<Capability> capabilities() {
        return capabilities;
    }

    /** The capability of the given type, if declared. */
    @SuppressWarnings("unchecked")
    public <T extends Capability> Optional<T> capability(Class<T> type) {
        for (int i = 0; i < capabilityArray.length; i++) {
            if (type.isInstance(capabilityArray[i])) {
                return (Optional<T>) found[i];
            }
        }
        return Optional.empty();
    }

    /** A copy of this spec with one more capability, or with the capability of the same type replaced. */
    public CommandSpec<C> withCapability(Capability capability) {
        Builder<C> b = new Builder<>(commandType, name);
        b.handlers.addAll(handlers);
        for (Capability c : capabilities) {
            if (c.getClass() != capability.getClass()) {
                b.capabilities.add(c);
            }
        }
        b.capabilities.add(capability);
        return b.build();
    }

    @Override
    public String toString() {
        return "CommandSpec{" + name + " -> " + commandType.getName() + "}";
    }

    /**
     * A handler of a spec: a class for the {@link HandlerFactory} to create, or a ready instance.
     */
    public static final class HandlerRef {
        private final Class<?> type;
        private final @Nullable CommandHandler<?, ?> instance;

        private HandlerRef(Class<?> type, @Nullable CommandHandler<?, ?> instance) {
            this.type = type;
            this.instance = instance;
        }

        /** The handler's class (for an instance: its runtime class). */
        public Class<?> type() {
            return type;
        }

        /** The ready instance, or {@code null} when the factory creates it. */
        public @Nullable CommandHandler<?, ?> instance() {
            return instance;
        }

        @Override
        public String toString() {
            return type.getName();
        }
    }

    /** Builds a {@link CommandSpec}. */
    public static final class Builder<C extends Command<?>> {
        private final Class<C> commandType;
        private final String name;
        private final List<HandlerRef> handlers = new ArrayList<>();
        private final List<Capability> capabilities = new ArrayList<>();

        private Builder(Class<C> commandType, String name) {
            this.commandType = Objects.requireNonNull(commandType, "commandType");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: must be lowercase words separated by '.' or '-', was '"
                        + name + "' (for " + commandType.getName() + ")");
            }
            this.name = name;
        }

        /** Appends a handler class; the bus's {@link HandlerFactory} creates it when the bus is built. */
        public Builder<C> handler(Class<? extends CommandHandler<? super C, ?>> handlerType) {
            handlers.add(new HandlerRef(Objects.requireNonNull(handlerType, "handlerType"), null));
            return this;
        }

        /**
         * Appends a ready handler instance. A lambda needs its parameter types written out:
         * {@code .handler((Greet c, HandlerContext<String> ctx) -> ...)}.
         */
        public Builder<C> handler(CommandHandler<? super C, ?> handler) {
            Objects.requireNonNull(handler, "handler");
            handlers.add(new HandlerRef(handler.getClass(), handler));
            return this;
        }

        /** Declares a capability; declaring two of the same type is an error. */
        public Builder<C> capability(Capability capability) {
            Objects.requireNonNull(capability, "capability");
            for (Capability c : capabilities) {
                if (c.getClass() == capability.getClass()) {
                    throw new IllegalArgumentException("capability: " + capability.getClass().getSimpleName()
                            + " declared twice for " + commandType.getName());
                }
            }
            capabilities.add(capability);
            return this;
        }

        public CommandSpec<C> build() {
            return new CommandSpec<>(this);
        }
    }
}
