package dev.trench.transport;

import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The logical type names that may appear on the wire, each registered explicitly against one class: commands through
 * their {@link CommandSpec} (its {@link CommandSpec#name()}), events by {@link Builder#registerEvent(String, Class)}.
 * A Java class name is never read from the wire; a name that is not registered is refused.
 *
 * <p>Commands and events share one namespace: a name means one class. Immutable once built, safe to share.
 *
 * <pre>{@code
 * TypeRegistry types = TypeRegistry.builder()
 *         .registerCommands(bus.specs())
 *         .registerEvent("auction.raised", AuctionRaised.class)
 *         .build();
 * }</pre>
 */
public final class TypeRegistry {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

    private final Map<String, CommandSpec<?>> commandsByName;
    private final Map<Class<?>, String> commandNames;
    private final Map<String, Class<?>> eventsByName;
    private final Map<Class<?>, String> eventNames;

    private TypeRegistry(Builder b) {
        this.commandsByName = Map.copyOf(b.commandsByName);
        this.commandNames = Map.copyOf(b.commandNames);
        this.eventsByName = Map.copyOf(b.eventsByName);
        this.eventNames = Map.copyOf(b.eventNames);
    }

    /** Starts an empty registry. */
    public static Builder builder() {
        return new Builder();
    }

    /** The spec of the command registered under {@code name}. */
    public Optional<CommandSpec<?>> command(String name) {
        return Optional.ofNullable(commandsByName.get(name));
    }

    /** The logical name of a command class. */
    public Optional<String> commandName(Class<?> commandType) {
        return Optional.ofNullable(commandNames.get(commandType));
    }

    /** The event class registered under {@code name}. */
    public Optional<Class<?>> event(String name) {
        return Optional.ofNullable(eventsByName.get(name));
    }

    /** The logical name of an event class. */
    public Optional<String> eventName(Class<?> eventType) {
        return Optional.ofNullable(eventNames.get(eventType));
    }

    /** Every registered command name. */
    public Set<String> commandNames() {
        return commandsByName.keySet();
    }

    /** Every registered event name. */
    public Set<String> eventNames() {
        return eventsByName.keySet();
    }

    @Override
    public String toString() {
        return "TypeRegistry{commands=" + new java.util.TreeSet<>(commandsByName.keySet()) + ", events="
                + new java.util.TreeSet<>(eventsByName.keySet()) + "}";
    }

    /**
     * Collects registrations; {@link #build()} fails with one {@link IllegalStateException} listing every duplicate
     * name, duplicate class and bad name found.
     */
    public static final class Builder {
        private final Map<String, CommandSpec<?>> commandsByName = new LinkedHashMap<>();
        private final Map<Class<?>, String> commandNames = new LinkedHashMap<>();
        private final Map<String, Class<?>> eventsByName = new LinkedHashMap<>();
        private final Map<Class<?>, String> eventNames = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        /** Registers a command under its spec's logical name. */
        public Builder registerCommand(CommandSpec<?> spec) {
            Objects.requireNonNull(spec, "spec");
            String name = spec.name();
            Class<?> type = spec.commandType();
            @Nullable String clash = clash(name);
            if (clash != null) {
                problems.add("type name '" + name + "' of command " + type.getName() + " is already used by "
                        + clash);
            } else if (commandNames.containsKey(type)) {
                problems.add("command " + type.getName() + " is registered twice, as '" + commandNames.get(type)
                        + "' and '" + name + "'");
            } else {
                commandsByName.put(name, spec);
                commandNames.put(type, name);
            }
            return this;
        }

        /** Registers every command of the given specs, e.g. {@code bus.specs()}. */
        public Builder registerCommands(Collection<? extends CommandSpec<?>> specs) {
            Objects.requireNonNull(specs, "specs").forEach(this::registerCommand);
            return this;
        }

        /**
         * Registers an event class under a logical name.
         *
         * @param name lowercase words separated by dots or dashes, e.g. {@code auction.raised}
         */
        public Builder registerEvent(String name, Class<?> eventType) {
            Objects.requireNonNull(eventType, "eventType");
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("event name must be lowercase words separated by '.' or '-', was '" + name + "' (for "
                        + eventType.getName() + ")");
                return this;
            }
            if (Command.class.isAssignableFrom(eventType)) {
                problems.add("event '" + name + "': " + eventType.getName()
                        + " is a Command; register commands through their CommandSpec");
                return this;
            }
            @Nullable String clash = clash(name);
            if (clash != null) {
                problems.add("type name '" + name + "' of event " + eventType.getName() + " is already used by "
                        + clash);
            } else if (eventNames.containsKey(eventType)) {
                problems.add("event " + eventType.getName() + " is registered twice, as '" + eventNames.get(eventType)
                        + "' and '" + name + "'");
            } else {
                eventsByName.put(name, eventType);
                eventNames.put(eventType, name);
            }
            return this;
        }

        private @Nullable String clash(String name) {
            CommandSpec<?> command = commandsByName.get(name);
            if (command != null) {
                return "command " + command.commandType().getName();
            }
            Class<?> event = eventsByName.get(name);
            return event == null ? null : "event " + event.getName();
        }

        /**
         * Builds the registry.
         *
         * @throws IllegalStateException listing every problem found, numbered
         */
        public TypeRegistry build() {
            if (!problems.isEmpty()) {
                StringBuilder sb = new StringBuilder("Type registry errors:");
                for (int i = 0; i < problems.size(); i++) {
                    sb.append('\n').append(i + 1).append(") ").append(problems.get(i));
                }
                throw new IllegalStateException(sb.toString());
            }
            return new TypeRegistry(this);
        }
    }
}
