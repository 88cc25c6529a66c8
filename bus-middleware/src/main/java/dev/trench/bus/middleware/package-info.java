/**
 * The standard middleware of a Trench command bus, one class per concern: {@link dev.trench.bus.middleware.LoggingMiddleware},
 * {@link dev.trench.bus.middleware.MetricsMiddleware}, {@link dev.trench.bus.middleware.EventsMiddleware},
 * {@link dev.trench.bus.middleware.AsyncMiddleware} and {@link dev.trench.bus.middleware.RetryMiddleware}, in the
 * recommended order that {@link dev.trench.bus.middleware.StandardMiddleware} assembles; the in-process
 * {@link dev.trench.bus.spi.CommandSender} and the dead-letter sinks that go with them; and every meter name in
 * {@link dev.trench.bus.middleware.TrenchMeters}.
 */
package dev.trench.bus.middleware;
