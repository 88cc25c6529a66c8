package dev.trench.bus.middleware;

import dev.trench.bus.Middleware;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Assembles the standard middleware in the recommended order and wires them together:
 *
 * <pre>{@code
 * List<Middleware> stack = StandardMiddleware.builder()
 *         .meterRegistry(registry)
 *         .events(e -> e.publisher(zmqPublisher))
 *         .async(a -> a.localWorker("auction-worker"))
 *         .retry(r -> r.scheduler(scheduler).deadLetterSink(deadLetters))
 *         .build();
 * CommandBus.Builder bus = CommandBus.builder().register(RaiseBid.SPEC);
 * stack.forEach(bus::append);
 * }</pre>
 *
 * <h2>The order, outermost first, and why</h2>
 * <ol>
 *   <li><b>logging</b>: outermost, so the MDC holds the command's ids for everything below, including the log lines of
 *       the other middleware and their listeners, and its line reports the final outcome.</li>
 *   <li><b>metrics</b>: times the whole dispatch as the caller sees it (events and retries included) and counts the
 *       outcome once per dispatch, not once per attempt.</li>
 *   <li><b>events</b>: outside async and retry, so listeners hear one {@code received} and one
 *       {@code succeeded}/{@code failed} per dispatch, and domain events are published only after the last attempt
 *       succeeded: an attempt that failed publishes nothing. On a node that hands the command to a worker there are no
 *       domain events here (the worker's own bus publishes them).</li>
 *   <li><b>async</b>: hands a command for another worker to its sender and completes on the acknowledgement; the links
 *       below it run only where the handlers run.</li>
 *   <li><b>retry</b>: innermost, next to the handlers. Inside async, so a command handed to a worker is retried on the
 *       worker, where its handlers run and where {@code handlersCompleted} means something, and the sender never
 *       resends a command a worker accepted (a send failure before the acknowledgement is the transport's to fail
 *       over). Inside events, so a failed attempt never publishes.</li>
 * </ol>
 * The metrics middleware is also given to the retry middleware as a listener (it counts retries and dead letters),
 * to the events middleware as a publication listener (it counts published events), and its in-flight gauge is bound
 * to the async middleware.
 *
 * <p>Each layer is included when configured: logging always (unless {@link Builder#withoutLogging()}); metrics when a
 * {@link Builder#meterRegistry registry} is given; events, async and retry when their configuration is given.
 */
public final class StandardMiddleware {
    private StandardMiddleware() {
    }

    /** Starts a configuration of the standard stack. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures the standard stack; {@link #build()} returns the middleware in order. */
    public static final class Builder {
        private boolean logging = true;
        private @Nullable Consumer<LoggingMiddleware.Builder> loggingConfig;
        private @Nullable MeterRegistry registry;
        private @Nullable Consumer<EventsMiddleware.Builder> eventsConfig;
        private @Nullable Consumer<AsyncMiddleware.Builder> asyncConfig;
        private @Nullable Consumer<RetryMiddleware.Builder> retryConfig;

        private Builder() {
        }

        /** Configures the logging middleware (included by default). */
        public Builder logging(Consumer<LoggingMiddleware.Builder> config) {
            this.loggingConfig = Objects.requireNonNull(config, "logging");
            this.logging = true;
            return this;
        }

        /** Leaves the logging middleware out. */
        public Builder withoutLogging() {
            this.logging = false;
            this.loggingConfig = null;
            return this;
        }

        /** Includes the metrics middleware, recording into {@code value}. */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Includes the events middleware, configured by {@code config}. */
        public Builder events(Consumer<EventsMiddleware.Builder> config) {
            this.eventsConfig = Objects.requireNonNull(config, "events");
            return this;
        }

        /** Includes the async middleware, configured by {@code config}. */
        public Builder async(Consumer<AsyncMiddleware.Builder> config) {
            this.asyncConfig = Objects.requireNonNull(config, "async");
            return this;
        }

        /** Includes the retry middleware, configured by {@code config} (which must give it a scheduler). */
        public Builder retry(Consumer<RetryMiddleware.Builder> config) {
            this.retryConfig = Objects.requireNonNull(config, "retry");
            return this;
        }

        /**
         * Builds each configured middleware and returns them outermost first: logging, metrics, events, async, retry.
         *
         * @throws IllegalArgumentException or {@link IllegalStateException} from a middleware's own validation, naming
         *     the field
         */
        public List<Middleware> build() {
            MetricsMiddleware metrics = registry == null ? null : new MetricsMiddleware(registry);

            AsyncMiddleware async = null;
            if (asyncConfig != null) {
                AsyncMiddleware.Builder b = AsyncMiddleware.builder();
                asyncConfig.accept(b);
                async = b.build();
                if (metrics != null) {
                    metrics.bindInFlight(async::inFlight);
                }
            }
            RetryMiddleware retry = null;
            if (retryConfig != null) {
                RetryMiddleware.Builder b = RetryMiddleware.builder();
                retryConfig.accept(b);
                if (metrics != null) {
                    b.listener(metrics);
                }
                retry = b.build();
            }
            EventsMiddleware events = null;
            if (eventsConfig != null) {
                EventsMiddleware.Builder b = EventsMiddleware.builder();
                eventsConfig.accept(b);
                if (metrics != null) {
                    b.publicationListener(metrics);
                }
                events = b.build();
            }

            List<Middleware> stack = new ArrayList<>(5);
            if (logging) {
                LoggingMiddleware.Builder b = LoggingMiddleware.builder();
                if (loggingConfig != null) {
                    loggingConfig.accept(b);
                }
                stack.add(b.build());
            }
            addIfPresent(stack, metrics);
            addIfPresent(stack, events);
            addIfPresent(stack, async);
            addIfPresent(stack, retry);
            return List.copyOf(stack);
        }

        private static void addIfPresent(List<Middleware> stack, @Nullable Middleware m) {
            if (m != null) {
                stack.add(m);
            }
        }
    }
}
