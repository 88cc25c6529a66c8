package dev.trench.examples.auction.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.testkit.RecordingEventPublisher;
import dev.trench.examples.auction.AuctionWire;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.support.Http;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A worker's command endpoint: bad input is refused with a clear problem and disturbs nothing else. */
class WorkerNodeTest {
    private final InMemoryAuctionStore store = new InMemoryAuctionStore();
    private final RecordingEventPublisher events = new RecordingEventPublisher();
    private WorkerNode worker;
    private Http http;

    @BeforeEach
    void start() {
        worker = WorkerNode.builder().name("worker-test").host("127.0.0.1").port(0).store(store).publisher(events)
                .start();
        http = new Http(worker.port());
        worker.bus().dispatchAndWait(new OpenAuction("W1", "Lamp", new BigDecimal("10.00"), new BigDecimal("0.50"),
                Instant.now().plus(Duration.ofHours(1))));
    }

    @AfterEach
    void stop() {
        worker.close();
    }

    private String envelope(RaiseBid bid) {
        MessageId id = worker.bus().newId();
        return new String(AuctionWire.codec().encodeCommand(Envelope.of(bid, id, id, null,
                System.currentTimeMillis())), StandardCharsets.UTF_8);
    }

    @Test
    void badCommandsAreRefusedNamingTheProblemAndTheNextGoodOneIsHandled() throws Exception {
        Http.Answer malformed = http.post("/commands", "{\"type\": ", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("type").asText()).isEqualTo("urn:trench:problem:malformed");

        Http.Answer unknown = http.post("/commands", envelope(new RaiseBid("W1", "alice", new BigDecimal("11.00")))
                .replace("auction.raise-bid", "auction.steal"), null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("type").asText()).isEqualTo("urn:trench:problem:unknown-type");

        Http.Answer invalid = http.post("/commands", envelope(new RaiseBid("W1", "alice", new BigDecimal("11.00")))
                .replace("11.00", "-11.00"), null);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("field").asText()).isEqualTo("payload.amount");

        Http.Answer good = http.post("/commands", envelope(new RaiseBid("W1", "alice", new BigDecimal("11.00"))),
                null);
        assertThat(good.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> !events.payloads().isEmpty());
        assertThat(events.payloads()).singleElement().isInstanceOfSatisfying(AuctionRaised.class,
                raised -> assertThat(raised.amount()).isEqualByComparingTo("11.00"));
    }

    @Test
    void itIsReadyWhileRunningAndExposesItsMetrics() throws Exception {
        assertThat(http.get("/health/ready").status()).isEqualTo(200);
        worker.bus().dispatchAndWait(new RaiseBid("W1", "bob", new BigDecimal("10.00")));

        assertThat(http.get("/metrics").body()).contains("trench_commands");
    }

    @Test
    void closingDrainsTheAcknowledgedCommandsFirst() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(http.post("/commands", envelope(new RaiseBid("W1", "carol",
                    new BigDecimal("10.00").add(BigDecimal.valueOf(i)))), null).status()).isEqualTo(202);
        }

        worker.close();

        // four worker threads may handle them out of order, so a bid can find a higher one placed already: each
        // acknowledged bid was handled all the same, accepted (AuctionRaised) or refused (BidRejected)
        assertThat(events.payloads()).as("one event per acknowledged bid").hasSize(20);
        long raised = events.payloads().stream().filter(AuctionRaised.class::isInstance).count();
        assertThat(events.payloads()).allMatch(e -> e instanceof AuctionRaised || e instanceof BidRejected);
        assertThat(store.find("W1").orElseThrow().seq()).isEqualTo(raised).isPositive();
    }
}
