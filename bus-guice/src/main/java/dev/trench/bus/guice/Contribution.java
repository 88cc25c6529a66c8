package dev.trench.bus.guice;

import com.google.inject.Provider;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Middleware;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * One thing a {@link TrenchModule} contributed to the bus, multibound in contribution order. Equality is identity, so
 * Guice never merges two contributions: registering the same spec twice reaches the bus, which reports it.
 */
final class Contribution {
    enum Kind { COMMAND, MIDDLEWARE, GATEWAY, CLOCK, NAME }

    final Kind kind;
    /** The module class that made it, for error messages. */
    final String source;
    final @Nullable CommandSpec<?> spec;
    final @Nullable Provider<? extends Middleware> middleware;
    /** The middleware class or the gateway interface. */
    final @Nullable Class<?> type;
    final @Nullable Clock clock;
    final @Nullable String name;

    private Contribution(Kind kind, String source, @Nullable CommandSpec<?> spec,
            @Nullable Provider<? extends Middleware> middleware, @Nullable Class<?> type, @Nullable Clock clock,
            @Nullable String name) {
        this.kind = kind;
        this.source = source;
        this.spec = spec;
        this.middleware = middleware;
        this.type = type;
        this.clock = clock;
        this.name = name;
    }

    static Contribution command(CommandSpec<?> spec, String source) {
        return new Contribution(Kind.COMMAND, source, spec, null, null, null, null);
    }

    static Contribution middleware(Provider<? extends Middleware> provider, Class<?> type, String source) {
        return new Contribution(Kind.MIDDLEWARE, source, null, provider, type, null, null);
    }

    static Contribution gateway(Class<?> type, String source) {
        return new Contribution(Kind.GATEWAY, source, null, null, type, null, null);
    }

    static Contribution clock(Clock clock, String source) {
        return new Contribution(Kind.CLOCK, source, null, null, null, clock, null);
    }

    static Contribution name(String name, String source) {
        return new Contribution(Kind.NAME, source, null, null, null, null, name);
    }

    @Override
    public String toString() {
        Object what = switch (kind) {
            case COMMAND -> spec;
            case MIDDLEWARE, GATEWAY -> type == null ? null : type.getName();
            case CLOCK -> clock;
            case NAME -> name;
        };
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + what + " from " + source;
    }
}
