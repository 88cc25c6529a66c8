package dev.trench.examples.auction.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.middleware.InMemoryDeadLetterStore;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.testkit.RecordingEventPublisher;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker's bus as {@link WorkerModule} builds it, with a recording publisher in place of ZeroMQ. */
class BidRejectionNotifierTest {
    private final RecordingEventPublisher published = new RecordingEventPublisher();
    private final InMemoryAuctionStore store = new InMemoryAuctionStore();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private CommandBus bus;

    @BeforeEach
    void buildTheWorkersBus() {
        bus = Guice.createInjector(new WorkerModule("worker-test", store, published, scheduler,
                new InMemoryDeadLetterStore(), new SimpleMeterRegistry(), Clock.systemUTC()))
                .getInstance(CommandBus.class);
        bus.dispatchAndWait(new OpenAuction("A1", "Lamp", new BigDecimal("10.00"), new BigDecimal("0.50"),
                Instant.now().plus(Duration.ofHours(1))));
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aRefusedBidIsPublishedAsBidRejectedForItsBidder() {
        MessageId id = bus.newId();
        Envelope<RaiseBid> envelope = Envelope.of(new RaiseBid("A1", "alice", new BigDecimal("9.00")), id, id, null,
                System.currentTimeMillis());

        assertThatThrownBy(() -> bus.dispatch(envelope).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(CommandRejectedException.class);

        await().atMost(Duration.ofSeconds(5)).until(() -> !published.events().isEmpty());
        EventEnvelope<?> event = published.events().get(0);
        assertThat(event.event()).isInstanceOf(BidRejected.class);
        BidRejected rejected = (BidRejected) event.event();
        assertThat(rejected.userId()).isEqualTo("alice");
        assertThat(rejected.auctionId()).isEqualTo("A1");
        assertThat(rejected.amount()).isEqualByComparingTo("9.00");
        assertThat(rejected.reason()).isEqualTo("bid-too-low");
        assertThat(rejected.commandId()).isEqualTo(id.toString());
        assertThat(event.causationId()).isEqualTo(id);
        assertThat(event.commandName()).isEqualTo("auction.raise-bid");
    }

    @Test
    void anAcceptedBidPublishesOnlyAuctionRaised() {
        bus.dispatchAndWait(new RaiseBid("A1", "bob", new BigDecimal("10.00")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !published.payloads().isEmpty());
        assertThat(published.payloads()).singleElement().isInstanceOf(AuctionRaised.class);
    }

    @Test
    void aBidOnAnUnknownAuctionIsReportedToo() {
        assertThatThrownBy(() -> bus.dispatchAndWait(new RaiseBid("nope", "carol", new BigDecimal("1.00"))))
                .isInstanceOf(CommandRejectedException.class);

        await().atMost(Duration.ofSeconds(5)).until(() -> !published.payloads().isEmpty());
        assertThat(published.payloads()).singleElement().isInstanceOfSatisfying(BidRejected.class,
                r -> assertThat(r.reason()).isEqualTo("unknown-auction"));
    }

    @Test
    void otherRejectedCommandsPublishNothing() {
        assertThatThrownBy(() -> bus.dispatchAndWait(new OpenAuction("A1", "Again", new BigDecimal("1.00"),
                new BigDecimal("0.50"), Instant.now().plusSeconds(60))))
                .isInstanceOf(CommandRejectedException.class)
                .hasMessageContaining("exists");
        // a later, accepted bid is the first event published: nothing was published for the refused OpenAuction
        bus.dispatchAndWait(new RaiseBid("A1", "bob", new BigDecimal("10.00")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !published.payloads().isEmpty());
        assertThat(published.payloads().get(0)).isInstanceOf(AuctionRaised.class);
    }

    @Test
    void theNotifierSitsJustInsideTheEventsMiddleware() {
        assertThat(bus.describe()).contains(
                "EventsMiddleware -> BidRejectionNotifier -> AsyncMiddleware -> RetryMiddleware -> handlers");
    }
}
