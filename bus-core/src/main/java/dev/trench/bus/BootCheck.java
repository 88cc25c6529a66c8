package dev.trench.bus;

import java.util.List;

/**
 * What a {@link Middleware} sees while the bus is being built: the registered commands and a place to report problems.
 * Every problem of every middleware and of the registrations is collected, then building fails with one
 * {@link BusConfigurationException} listing them all.
 */
public interface BootCheck {

    /** The registered command specs, in registration order. */
    List<CommandSpec<?>> commands();

    /** Reports a configuration problem; name the classes involved. */
    void problem(String message);

    /**
     * Declares that this node does not run the command's handlers itself (e.g. it is sent to a remote worker), so
     * the bus does not create them here.
     */
    void handledElsewhere(CommandSpec<?> spec);
}
