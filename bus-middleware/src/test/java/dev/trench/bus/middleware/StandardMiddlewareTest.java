package dev.trench.bus.middleware;

import static java.time.Duration.ofMillis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.CommandBus;
import dev.trench.bus.Middleware;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.middleware.Steps.Work;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StandardMiddlewareTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingPublisher publisher = new RecordingPublisher();

    private List<Middleware> fullStack() {
        return StandardMiddleware.builder()
                .meterRegistry(registry)
                .events(e -> e.publisher(publisher))
                .async(a -> a.localWorker("jobs"))
                .retry(r -> r.scheduler(scheduler).deadLetterSink(new InMemoryDeadLetterStore()))
                .build();
    }

    @Test
    void theConfiguredLayersComeInTheRecommendedOrderLoggingMetricsEventsAsyncRetry() {
        assertThat(fullStack()).extracting(m -> (Object) m.getClass()).containsExactly(LoggingMiddleware.class,
                MetricsMiddleware.class, EventsMiddleware.class, AsyncMiddleware.class, RetryMiddleware.class);
    }

    @Test
    void onlyTheConfiguredLayersAreIncluded() {
        assertThat(StandardMiddleware.builder().build()).extracting(m -> (Object) m.getClass())
                .containsExactly(LoggingMiddleware.class);
        assertThat(StandardMiddleware.builder().withoutLogging().retry(r -> r.scheduler(scheduler)).build())
                .extracting(m -> (Object) m.getClass()).containsExactly(RetryMiddleware.class);
        assertThat(StandardMiddleware.builder().logging(l -> l.logPayloads(true)).meterRegistry(registry).build())
                .extracting(m -> (Object) m.getClass()).containsExactly(LoggingMiddleware.class,
                        MetricsMiddleware.class);
    }

    @Test
    void theBusReportShowsTheChainInThatOrder() {
        CommandBus.Builder builder = CommandBus.builder().register(new Steps().spec("test.work"));
        fullStack().forEach(builder::append);

        assertThat(builder.build().describe()).contains("chain: LoggingMiddleware -> MetricsMiddleware ->"
                + " EventsMiddleware -> AsyncMiddleware -> RetryMiddleware -> handlers");
    }

    @Test
    void theMetricsMiddlewareHearsTheRetriesDeadLettersPublishedEventsAndAsyncQueueOfTheOthers() {
        Steps steps = new Steps().failNext(2, new IllegalStateException("once"));
        CommandBus.Builder builder = CommandBus.builder()
                .register(steps.spec("test.work", RetryOnFail.upTo(1).withDelay(RetryDelay.fixed(ofMillis(5)))));
        fullStack().forEach(builder::append);
        CommandBus bus = builder.build();

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(5));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(registry.get(TrenchMeters.RETRIES).counter().count()).isEqualTo(1.0);
        assertThat(registry.get(TrenchMeters.DEAD_LETTERS).counter().count()).isZero();
        assertThat(registry.get(TrenchMeters.EVENTS_PUBLISHED).tag(TrenchMeters.TAG_OUTCOME, "success").counter()
                .count()).isEqualTo(3.0);
        assertThat(registry.get(TrenchMeters.ASYNC_IN_FLIGHT).gauge().value()).isZero();
        assertThat(registry.get(TrenchMeters.COMMANDS).tag(TrenchMeters.TAG_OUTCOME, "success").timer().count())
                .isEqualTo(1);
        assertThat(publisher.events()).containsExactly("event-h1", "event-h2", "event-h3");
    }

    @Test
    void aLayersOwnValidationErrorNamesTheField() {
        assertThatThrownBy(() -> StandardMiddleware.builder().retry(r -> r.maxDelay(ofMillis(1))).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("scheduler: is required");
        assertThatThrownBy(() -> StandardMiddleware.builder().async(a -> a.maxInFlight(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInFlight: must be >= 1, was -1");
    }
}
