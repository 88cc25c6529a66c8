/**
 * Guice glue for Trench: {@link dev.trench.bus.guice.TrenchModule} registers commands, middleware and typed gateways,
 * builds the injector's one {@link dev.trench.bus.CommandBus} with handlers created by Guice, and reports every bus
 * configuration problem when the injector is created.
 */
package dev.trench.bus.guice;
