package dev.trench.bus.testkit.auction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.spi.DeadLetter;
import dev.trench.bus.testkit.CommandFixture;
import dev.trench.bus.testkit.auction.Auction.AuctionStoreUnavailable;
import dev.trench.bus.testkit.auction.Auction.BidRaised;
import dev.trench.bus.testkit.auction.Auction.BiddersNotified;
import dev.trench.bus.testkit.auction.Auction.CheckBidAmount;
import dev.trench.bus.testkit.auction.Auction.FlakyAuctions;
import dev.trench.bus.testkit.auction.Auction.NotifyBidders;
import dev.trench.bus.testkit.auction.Auction.NotifyBiddersHandler;
import dev.trench.bus.testkit.auction.Auction.OpenAuction;
import dev.trench.bus.testkit.auction.Auction.OpenAuctionHandler;
import dev.trench.bus.testkit.auction.Auction.RaiseBid;
import dev.trench.bus.testkit.auction.Auction.RecordBid;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fixture as the README shows it: one test per behaviour of RaiseBid. */
class RaiseBidFixtureTest {
    private final FlakyAuctions auctions = new FlakyAuctions();
    private final CheckBidAmount checkBidAmount = new CheckBidAmount(auctions);

    private CommandFixture<RaiseBid, BigDecimal> fixture() {
        return CommandFixture.forCommand(RaiseBid.SPEC)
                .withCommands(OpenAuction.SPEC, NotifyBidders.SPEC)
                .withHandlers(new OpenAuctionHandler(auctions), checkBidAmount, new RecordBid(auctions),
                        new NotifyBiddersHandler());
    }

    private static BigDecimal eur(String amount) {
        return new BigDecimal(amount);
    }

    @Test
    void aBidAboveTheReservePriceIsRecordedPublishedAndNotified() {
        fixture()
                .given(new OpenAuction("A1", eur("10.00")))
                .when(new RaiseBid("A1", "alice", eur("12.50")))
                .expectSuccess()
                .expectResult(eur("12.50"))
                // the child command completes inside RecordBid, so its event is published before the bid's own,
                // which waits until every handler of RaiseBid succeeded
                .expectEvents(new BiddersNotified("A1"), new BidRaised("A1", "alice", eur("12.50")))
                .expectDispatched(new NotifyBidders("A1"))
                .expectAttempts(1)
                .expectElapsed(Duration.ZERO)
                .expectNotDeadLettered();
    }

    @Test
    void aBidNotAboveTheHighestIsRejectedAtOnceWithoutEventsOrRetries() {
        fixture()
                .given(new OpenAuction("A1", eur("10.00")), new RaiseBid("A1", "alice", eur("20.00")))
                .when(new RaiseBid("A1", "bob", eur("20.00")))
                .expectRejected("bid-too-low")
                .expectNoEvents()
                .expectDispatched()
                .expectAttempts(1)
                .expectNotDeadLettered();
    }

    @Test
    void aBidWhoseStoreFailsOnceSucceedsOnTheSecondAttemptAfterTheFirstRetryDelay() {
        CommandFixture<RaiseBid, BigDecimal> fixture = fixture();
        fixture.given(new OpenAuction("A1", eur("10.00")));
        auctions.failNextSaves(1);

        fixture.when(new RaiseBid("A1", "alice", eur("12.50")))
                .expectSuccess()
                .expectAttempts(2)
                .expectElapsed(Duration.ofMillis(100))
                .expectEvents(new BiddersNotified("A1"), new BidRaised("A1", "alice", eur("12.50")))
                .expectDispatched(new NotifyBidders("A1"));

        // the retry resumed at RecordBid, the handler that failed: CheckBidAmount ran once
        assertThat(checkBidAmount.checked).containsExactly(new RaiseBid("A1", "alice", eur("12.50")));
        assertThat(fixture.clock().instant()).isEqualTo(dev.trench.bus.testkit.ManualClock.DEFAULT_START
                .plusMillis(100));
    }

    @Test
    void aBidWhoseStoreKeepsFailingIsDeadLetteredAfterItsTwoRetries() {
        CommandFixture<RaiseBid, BigDecimal> fixture = fixture();
        fixture.given(new OpenAuction("A1", eur("10.00")));
        auctions.failNextSaves(3);

        fixture.when(new RaiseBid("A1", "alice", eur("12.50")))
                .expectException(AuctionStoreUnavailable.class)
                .expectDeadLettered()
                .expectAttempts(3)
                .expectElapsed(Duration.ofMillis(100 + 200))
                .expectNoEvents()
                .expectDispatched();

        DeadLetter letter = fixture.deadLetters().list().get(0);
        assertThat(letter.commandName()).isEqualTo("auction.raise-bid");
        assertThat(letter.envelope().resumeAt()).as("RecordBid failed").isEqualTo(1);
        assertThat(letter.failures()).extracting(f -> f.at().toEpochMilli() - letter.failures().get(0).at()
                .toEpochMilli()).containsExactly(0L, 100L, 300L);

        // once the store is back, the dead letter is dispatched again and resumes at RecordBid
        BigDecimal highest = (BigDecimal) fixture.deadLetters()
                .redispatch(letter.envelope().commandId(), fixture.bus()).toCompletableFuture().join();
        assertThat(highest).isEqualTo(eur("12.50"));
        assertThat(checkBidAmount.checked).hasSize(1);
        assertThat(fixture.deadLetters().list()).isEmpty();
    }

    @Test
    void aRetryCanBeSteppedThroughByHand() {
        CommandFixture<RaiseBid, BigDecimal> fixture = fixture();
        fixture.given(new OpenAuction("A1", eur("10.00")));
        auctions.failNextSaves(1);

        CommandFixture.Started<BigDecimal> bid = fixture.whenStarted(new RaiseBid("A1", "alice", eur("12.50")));

        assertThat(bid.isDone()).isFalse();
        assertThat(bid.attempts()).isEqualTo(1);
        assertThat(fixture.scheduler().pendingTasks()).singleElement()
                .satisfies(retry -> assertThat(retry.delay()).isEqualTo(Duration.ofMillis(100)));

        fixture.scheduler().advance(Duration.ofMillis(99));
        assertThat(bid.attempts()).isEqualTo(1);

        fixture.scheduler().advance(Duration.ofMillis(1));
        assertThat(bid.isDone()).isTrue();
        assertThat(bid.attempts()).isEqualTo(2);

        bid.then()
                .expectResult(eur("12.50"))
                .expectElapsed(Duration.ofMillis(100));
    }
}
