package dev.trench.bus;

/** A command was dispatched whose type was never registered with the bus. */
public class UnknownCommandException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownCommandException(Class<?> commandType) {
        super("No command spec registered for " + commandType.getName()
                + "; register its CommandSpec when building the bus");
    }
}
