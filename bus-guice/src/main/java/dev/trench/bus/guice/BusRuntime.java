package dev.trench.bus.guice;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandGateway;
import dev.trench.bus.Middleware;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The bus and its gateways, built once while the injector is created. It is bound as an instance, so Guice injects
 * it (runs {@link #build}) exactly once, in its injection phase, before any eager singleton: a failure is reported
 * once, and stops injector creation before anything that depends on the bus is built. Every problem found, the
 * bus's own and the modules', is thrown as one {@link BusConfigurationException}.
 */
final class BusRuntime {
    private volatile @Nullable CommandBus bus;
    private volatile Map<Class<?>, Object> gateways = Map.of();

    @Inject
    void build(Injector injector, Set<Contribution> contributions) {
        List<String> problems = new ArrayList<>();
        CommandBus.Builder builder = CommandBus.builder().handlerFactory(new InjectorHandlerFactory(injector));
        List<Contribution> gatewayTypes = new ArrayList<>();
        Contribution clock = null;
        Contribution name = null;
        for (Contribution c : contributions) {
            switch (c.kind) {
                case COMMAND -> builder.register(c.spec);
                case MIDDLEWARE -> {
                    Middleware m = createMiddleware(c, problems);
                    if (m != null) {
                        builder.append(m);
                    }
                }
                case GATEWAY -> gatewayTypes.add(c);
                case CLOCK -> {
                    if (clock != null) {
                        problems.add(twice("clock", clock, c));
                    } else {
                        clock = c;
                        builder.clock(c.clock);
                    }
                }
                case NAME -> {
                    if (name != null) {
                        problems.add(twice("name", name, c));
                    } else {
                        name = c;
                        builder.name(c.name);
                    }
                }
            }
        }
        CommandBus built = null;
        try {
            built = builder.build();
        } catch (BusConfigurationException e) {
            problems.addAll(e.problems());
        }
        Map<Class<?>, Object> gatewayMap = new LinkedHashMap<>();
        if (built != null) {
            for (Contribution c : gatewayTypes) {
                try {
                    gatewayMap.put(c.type, CommandGateway.create(c.type, built));
                } catch (BusConfigurationException e) {
                    problems.addAll(e.problems());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new BusConfigurationException(problems);
        }
        this.gateways = Map.copyOf(gatewayMap);
        this.bus = built;
    }

    private static Middleware createMiddleware(Contribution c, List<String> problems) {
        try {
            Middleware m = c.middleware.get();
            if (m == null) {
                problems.add("Middleware " + c.type.getName() + " from " + c.source + ": Guice provided null");
            }
            return m;
        } catch (ProvisionException e) {
            problems.add("Middleware " + c.type.getName() + " from " + c.source + " failed while Guice built it: "
                    + InjectorHandlerFactory.summary(e.getErrorMessages()));
            return null;
        }
    }

    private static String twice(String setting, Contribution first, Contribution second) {
        Object a = setting.equals("clock") ? first.clock : first.name;
        Object b = setting.equals("clock") ? second.clock : second.name;
        return "The bus " + setting + " is set more than once: " + a + " by " + first.source + " and " + b + " by "
                + second.source + "; set it in one module";
    }

    CommandBus bus() {
        CommandBus built = bus;
        if (built == null) {
            throw new IllegalStateException("The CommandBus is not built yet: it is being built from its handlers and"
                    + " middleware, so they cannot have it (or a gateway) injected; a handler dispatches other"
                    + " commands with HandlerContext.dispatch(...), or injects Provider<CommandBus>");
        }
        return built;
    }

    <G> G gateway(Class<G> type) {
        bus();
        return type.cast(gateways.get(type));
    }
}
