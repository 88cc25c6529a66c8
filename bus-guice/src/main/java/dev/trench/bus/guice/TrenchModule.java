package dev.trench.bus.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.multibindings.Multibinder;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandGateway;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandlerFactory;
import dev.trench.bus.Middleware;
import java.time.Clock;
import java.util.Objects;

/**
 * A Guice module that contributes to the injector's one {@link CommandBus}: commands (with their handlers),
 * middleware, typed gateways and the bus settings. Subclass it and override {@link #configureBus()}:
 *
 * <pre>{@code
 * public final class AuctionModule extends TrenchModule {
 *     @Override
 *     protected void configureBus() {
 *         bind(AuctionRepository.class).to(RedisAuctionRepository.class);   // plain Guice, as in any module
 *         command(RaiseBid.SPEC);                   // handlers declared in the spec are built by Guice
 *         middleware(LoggingMiddleware.class);      // built by Guice, with its own dependencies injected
 *         middleware(RetryMiddleware.builder().scheduler(scheduler).build());   // or a ready instance
 *         gateway(AuctionGateway.class);            // injectable, checked when the injector is built
 *     }
 * }
 *
 * Injector injector = Guice.createInjector(new AuctionModule(), new ObservabilityModule());
 * AuctionGateway auctions = injector.getInstance(AuctionGateway.class);
 * }</pre>
 *
 * <h2>Several modules</h2>
 * Any number of {@code TrenchModule}s may be installed in one injector; they all contribute to the same bus, like
 * Guice multibindings. Commands and middleware keep the order in which the modules were installed and, within a
 * module, the order of the calls: the first middleware contributed is the outermost link of the chain.
 *
 * <h2>What is bound</h2>
 * <ul>
 *   <li>{@link CommandBus}, built once while the injector is created, before any eager singleton. Its
 *       {@link HandlerFactory} is the injector: a handler declared by class in a {@link CommandSpec} is created with
 *       {@code injector.getInstance(type)}, so it gets constructor injection ({@code @Inject} constructors taking
 *       repositories and clients). Handlers are created just in time; with
 *       {@code binder().requireExplicitBindings()}, bind them too. Since the bus is built from its handlers, a
 *       handler cannot have the bus or a gateway injected: it dispatches with
 *       {@link dev.trench.bus.HandlerContext#dispatch}, or injects {@code Provider<CommandBus>}.</li>
 *   <li>Each gateway declared with {@link #gateway(Class)}: the interface, implemented by
 *       {@link CommandGateway#create(Class, CommandBus)}.</li>
 * </ul>
 *
 * <h2>Errors at injector creation</h2>
 * Every bus configuration problem (a command without handler, a handler declared for another command, a duplicate
 * registration, a handler Guice cannot build, an unhonoured capability, a gateway method that does not fit, a
 * setting given twice) is collected into one {@link BusConfigurationException}; Guice reports it in the
 * {@link com.google.inject.CreationException} thrown by {@code Guice.createInjector}, whose message shows the
 * numbered list. Middleware given by class is checked by Guice itself, with its usual errors.
 */
public abstract class TrenchModule extends AbstractModule {
    private Multibinder<Contribution> contributions;

    /** Creates the module; all contributions are made in {@link #configureBus()}. */
    protected TrenchModule() {
    }

    @Override
    protected final void configure() {
        install(new BusBindings());
        contributions = Multibinder.newSetBinder(binder(), Contribution.class);
        try {
            configureBus();
        } finally {
            contributions = null;
        }
    }

    /**
     * Contributes commands, middleware, gateways and settings with the methods of this class; ordinary Guice
     * bindings ({@code bind(...)}, {@code install(...)}) may be made here too.
     */
    protected abstract void configureBus();

    /** Registers a command with its handlers and capabilities. */
    protected final void command(CommandSpec<?> spec) {
        add(Contribution.command(Objects.requireNonNull(spec, "spec"), source()));
    }

    /** Appends a ready middleware instance to the chain. */
    protected final void middleware(Middleware middleware) {
        Objects.requireNonNull(middleware, "middleware");
        add(Contribution.middleware(() -> middleware, middleware.getClass(), source()));
    }

    /**
     * Appends a middleware that Guice creates (with its dependencies injected). Guice checks that it can be built
     * when the injector is created. Unless the class is a singleton, each contribution gets its own instance.
     */
    protected final void middleware(Class<? extends Middleware> type) {
        Objects.requireNonNull(type, "type");
        Provider<? extends Middleware> provider = binder().getProvider(type);
        add(Contribution.middleware(provider, type, source()));
    }

    /**
     * Binds a typed gateway interface (see {@link CommandGateway}), implemented over the bus. Its methods are checked
     * when the injector is created; a method that does not fit is reported with the bus's problems.
     */
    protected final <G> void gateway(Class<G> type) {
        Objects.requireNonNull(type, "type");
        add(Contribution.gateway(type, source()));
        Provider<BusRuntime> runtime = binder().getProvider(BusRuntime.class);
        bind(type).toProvider(new GatewayProvider<>(type, runtime));
    }

    /** The bus clock (creation times, ids, {@link dev.trench.bus.HandlerContext#clock()}); UTC system clock by default. */
    protected final void clock(Clock clock) {
        add(Contribution.clock(Objects.requireNonNull(clock, "clock"), source()));
    }

    /** The bus name for logs and the boot report; {@code bus} by default. */
    protected final void name(String name) {
        add(Contribution.name(Objects.requireNonNull(name, "name"), source()));
    }

    private void add(Contribution contribution) {
        if (contributions == null) {
            throw new IllegalStateException(getClass().getName()
                    + ": bus contributions can only be made while Guice calls configureBus()");
        }
        contributions.addBinding().toInstance(contribution);
    }

    private String source() {
        return getClass().getName();
    }

    /** Returns the gateway built (and checked) with the bus. */
    private static final class GatewayProvider<G> implements Provider<G> {
        private final Class<G> type;
        private final Provider<BusRuntime> runtime;

        GatewayProvider(Class<G> type, Provider<BusRuntime> runtime) {
            this.type = type;
            this.runtime = runtime;
        }

        @Override
        public G get() {
            return runtime.get().gateway(type);
        }

        @Override
        public String toString() {
            return "CommandGateway{" + type.getName() + "}";
        }
    }
}
