package dev.trench.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.trench.bus.CommandBus;
import dev.trench.bus.middleware.StandardMiddleware;
import dev.trench.bus.guice.TrenchModule;
import dev.trench.bus.testkit.CommandFixture;
import dev.trench.bus.testkit.RecordingEventPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's quick start, compiled and run: what a service author writes. */
class QuickStartTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RecordingEventPublisher publisher = new RecordingEventPublisher();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aServiceDispatchesThroughTheStandardStack() {
        // README:bus
        Injector injector = Guice.createInjector(new TrenchModule() {
            @Override
            protected void configureBus() {
                bind(Accounts.class).asEagerSingleton();
                command(Deposit.SPEC);
                StandardMiddleware.builder()
                        .meterRegistry(registry)                        // trench.commands timers and counters
                        .events(events -> events.publisher(publisher))  // domain events, after success only
                        .retry(retry -> retry.scheduler(scheduler))     // honours RetryOnFail, never blocks
                        .build()
                        .forEach(this::middleware);                     // logging, metrics, events, retry
            }
        });                                       // a bad configuration fails here, every problem listed
        CommandBus bus = injector.getInstance(CommandBus.class);
        injector.getInstance(Accounts.class).open("acc-1");

        BigDecimal balance = bus.dispatchAndWait(new Deposit("acc-1", new BigDecimal("12.50")));
        // README:end

        assertThat(balance).isEqualByComparingTo("12.50");
        assertThat(publisher.payloads()).containsExactly(
                new Deposited("acc-1", new BigDecimal("12.50"), new BigDecimal("12.50")));
        assertThat(registry.get("trench.commands").tag("command", "bank.deposit").tag("outcome", "success").timer()
                .count()).isEqualTo(1);
    }

    @Test
    void aHandlerTestWithTheFixture() {
        // README:fixture
        Accounts accounts = new Accounts();
        accounts.open("acc-1");
        accounts.failNextCredits(1);

        CommandFixture.forCommand(Deposit.SPEC)
                .withHandlers(new CheckAccountOpen(accounts), new CreditAccount(accounts))
                .when(new Deposit("acc-1", new BigDecimal("12.50")))
                .expectResult(new BigDecimal("12.50"))
                .expectAttempts(2)                            // the first credit failed, the retry succeeded
                .expectElapsed(Duration.ofMillis(100))        // on a manual clock: no sleeping
                .expectEvents(new Deposited("acc-1", new BigDecimal("12.50"), new BigDecimal("12.50")));
        // README:end
    }
}
