package dev.trench.bus;

/**
 * A need a command type declares, which a middleware honours: {@link RetryOnFail}, {@link HandledAsynchronously},
 * or one of your own. Capabilities are immutable values (records); a middleware finds them by type with
 * {@link CommandSpec#capability(Class)} and says which ones it honours with {@link Middleware#honours()}.
 *
 * <p>A capability that no installed middleware honours would silently do nothing, so building the bus fails with a
 * {@link BusConfigurationException} naming it.
 */
public interface Capability {
}
