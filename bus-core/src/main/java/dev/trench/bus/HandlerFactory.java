package dev.trench.bus;

/**
 * Creates handler instances from their classes when the bus is built. The Guice module uses the injector (so handlers
 * get their repositories and clients injected); {@link #reflective()} calls a public no-argument constructor.
 */
@FunctionalInterface
public interface HandlerFactory {

    /**
     * Creates (or looks up) the handler.
     *
     * @throws RuntimeException with a message naming the class when it cannot be created
     */
    <H> H create(Class<H> handlerType);

    /** Creates handlers with their no-argument constructor (which may be package-private). */
    static HandlerFactory reflective() {
        return new HandlerFactory() {
            @Override
            public <H> H create(Class<H> handlerType) {
                try {
                    java.lang.reflect.Constructor<H> constructor = handlerType.getDeclaredConstructor();
                    constructor.setAccessible(true); // package-private handlers in a vertical slice are fine
                    return constructor.newInstance();
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException("has no no-argument constructor; register an instance, or use"
                            + " a HandlerFactory (e.g. the Guice module) that can build it", e);
                } catch (ReflectiveOperationException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new IllegalStateException("could not be created: " + cause, cause);
                }
            }
        };
    }
}
