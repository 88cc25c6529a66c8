package dev.trench.bus.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import dev.trench.bus.CommandBus;

/**
 * The bindings every {@link TrenchModule} shares: the bus runtime and the {@link CommandBus}. Installed by each
 * {@code TrenchModule}; Guice installs it once per injector because all instances are equal.
 */
final class BusBindings extends AbstractModule {
    private final BusRuntime runtime = new BusRuntime();

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Contribution.class);
        // an instance binding: Guice injects it (builds the bus) once, before eager singletons are created
        bind(BusRuntime.class).toInstance(runtime);
    }

    @Provides
    CommandBus commandBus(BusRuntime runtime) {
        return runtime.bus();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BusBindings;
    }

    @Override
    public int hashCode() {
        return BusBindings.class.hashCode();
    }
}
