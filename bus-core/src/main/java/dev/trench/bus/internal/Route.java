package dev.trench.bus.internal;

import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandSpec;
import org.jspecify.annotations.Nullable;

/** A registered command type with its created handlers ({@code null} when it is handled elsewhere). */
final class Route {
    final CommandSpec<?> spec;
    final CommandHandler<?, ?> @Nullable [] handlers;

    Route(CommandSpec<?> spec, CommandHandler<?, ?> @Nullable [] handlers) {
        this.spec = spec;
        this.handlers = handlers;
    }
}
