package dev.trench.bus.internal;

import dev.trench.bus.Command;
import org.jspecify.annotations.Nullable;

/** Public entry to the generic type resolution used by the boot check, for other parts of the core. */
public final class Types {
    private Types() {
    }

    /** The {@code R} of {@code Command<R>} for a command class, or {@code null} when not resolvable to a class. */
    public static @Nullable Class<?> commandResultType(Class<?> commandType) {
        return GenericTypes.typeArgument(commandType, Command.class, 0);
    }

    /** The {@code C} of {@code CommandHandler<C, R>} for a handler class, or {@code null}. */
    public static @Nullable Class<?> handledCommandType(Class<?> handlerType) {
        return GenericTypes.typeArgument(handlerType, dev.trench.bus.CommandHandler.class, 0);
    }
}
