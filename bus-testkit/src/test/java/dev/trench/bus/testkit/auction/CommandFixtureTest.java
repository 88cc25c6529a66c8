package dev.trench.bus.testkit.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.Accepted;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.Command;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.HandlerFactory;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.testkit.CommandFixture;
import dev.trench.bus.testkit.auction.Auction.AuctionStoreUnavailable;
import dev.trench.bus.testkit.auction.Auction.BidRaised;
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

/** The fixture's own behaviour: how it builds handlers, what it refuses, and how its expectations fail. */
class CommandFixtureTest {
    private final FlakyAuctions auctions = new FlakyAuctions();

    /** Builds every auction handler with the test's store, as a HandlerFactory (e.g. Guice) would. */
    private final HandlerFactory factory = new HandlerFactory() {
        @Override
        public <H> H create(Class<H> type) {
            Object handler = type == OpenAuctionHandler.class ? new OpenAuctionHandler(auctions)
                    : type == CheckBidAmount.class ? new CheckBidAmount(auctions)
                    : type == RecordBid.class ? new RecordBid(auctions)
                    : type == NotifyBiddersHandler.class ? new NotifyBiddersHandler()
                    : HandlerFactory.reflective().create(type);
            return type.cast(handler);
        }
    };

    private CommandFixture<RaiseBid, BigDecimal> fixture() {
        return CommandFixture.forCommand(RaiseBid.SPEC)
                .withCommands(OpenAuction.SPEC, NotifyBidders.SPEC)
                .withHandlerFactory(factory);
    }

    private static BigDecimal eur(String amount) {
        return new BigDecimal(amount);
    }

    @Test
    void handlersComeFromTheFactoryWhenNoInstanceIsGiven() {
        fixture()
                .given(new OpenAuction("A1", eur("10.00")))
                .when(new RaiseBid("A1", "alice", eur("11.00")))
                .expectResultSatisfying(amount -> assertThat(amount).isEqualByComparingTo("11"))
                .expectEventsSatisfying(events -> assertThat(events).contains(new BidRaised("A1", "alice",
                        eur("11.00"))));
    }

    @Test
    void expectationsThatDoNotHoldFailWithAMessageSayingWhatHappened() {
        CommandFixture.Then<BigDecimal> rejected = fixture()
                .given(new OpenAuction("A1", eur("10.00")))
                .when(new RaiseBid("A1", "bob", eur("5.00")));

        assertThatThrownBy(rejected::expectSuccess)
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected RaiseBid[auctionId=A1, bidder=bob, amount=5.00] to succeed, but it"
                        + " failed after 1 attempt(s) with dev.trench.bus.CommandRejectedException: a bid on A1 must"
                        + " be above 10.00, was 5.00");
        assertThatThrownBy(() -> rejected.expectRejected("auction-closed"))
                .hasMessageContaining("to be rejected with reason 'auction-closed', but the reason was"
                        + " 'bid-too-low'");
        assertThatThrownBy(() -> rejected.expectException(AuctionStoreUnavailable.class))
                .hasMessageContaining("to fail with " + AuctionStoreUnavailable.class.getName()
                        + ", but it failed with dev.trench.bus.CommandRejectedException");
        assertThatThrownBy(() -> rejected.expectEvents(new BidRaised("A1", "bob", eur("5.00"))))
                .hasMessage("expected the events\n  [BidRaised[auctionId=A1, bidder=bob, amount=5.00]]\nbut none"
                        + " were published\n(the command failed with dev.trench.bus.CommandRejectedException: a bid"
                        + " on A1 must be above 10.00, was 5.00)");
        assertThatThrownBy(() -> rejected.expectDispatched(new NotifyBidders("A1")))
                .hasMessageStartingWith("expected the handlers to dispatch\n  [NotifyBidders[auctionId=A1]]\nbut"
                        + " they dispatched nothing");
        assertThatThrownBy(() -> rejected.expectAttempts(3))
                .hasMessageStartingWith("expected 3 attempt(s) of RaiseBid[auctionId=A1, bidder=bob, amount=5.00],"
                        + " but there were 1");
        assertThatThrownBy(rejected::expectDeadLettered)
                .hasMessageContaining("to be dead-lettered, but it was not");
        assertThatThrownBy(() -> rejected.expectElapsed(Duration.ofSeconds(1)))
                .hasMessageContaining("to take PT1S of virtual time, but it took PT0S");
        assertThatThrownBy(() -> rejected.expectResult(eur("5.00"))).hasMessageContaining("to succeed");

        CommandFixture.Then<BigDecimal> accepted = fixture()
                .given(new OpenAuction("A1", eur("10.00")))
                .when(new RaiseBid("A1", "bob", eur("15.00")));
        assertThatThrownBy(() -> accepted.expectResult(eur("16.00")))
                .hasMessage("expected RaiseBid[auctionId=A1, bidder=bob, amount=15.00] to produce\n  16.00\nbut it"
                        + " produced\n  15.00");
        assertThatThrownBy(() -> accepted.expectException(RuntimeException.class))
                .hasMessageContaining("but it succeeded with 15.00");
        assertThatThrownBy(accepted::expectNoEvents).hasMessageContaining("but the published events were");
    }

    @Test
    void aGivenCommandThatFailsStopsTheTestNamingIt() {
        assertThatThrownBy(() -> fixture().given(new RaiseBid("nowhere", "alice", eur("1.00"))))
                .isInstanceOf(AssertionError.class)
                .hasMessage("given command RaiseBid[auctionId=nowhere, bidder=alice, amount=1.00] failed:"
                        + " dev.trench.bus.CommandRejectedException: no auction nowhere");
    }

    /**
     * A command whose handler always fails, retried many times, an hour apart (which the retry middleware caps at its
     * default maximum delay of one minute).
     */
    record Reconcile(String account) implements Command<Void> {
        static final CommandSpec<Reconcile> SPEC = CommandSpec.of(Reconcile.class, "ledger.reconcile")
                .handler((Reconcile c, HandlerContext<Void> ctx) -> {
                    throw new AuctionStoreUnavailable("ledger unavailable");
                })
                .capability(RetryOnFail.upTo(100).withDelay(RetryDelay.fixed(Duration.ofHours(1))))
                .build();
    }

    @Test
    void aDispatchThatDoesNotCompleteWithinTheMaximumVirtualTimeFailsClearly() {
        CommandFixture<Reconcile, Void> fixture = CommandFixture.forCommand(Reconcile.SPEC)
                .withMaxVirtualTime(Duration.ofMinutes(30));

        assertThatThrownBy(() -> fixture.when(new Reconcile("acc-1")))
                .isInstanceOf(AssertionError.class)
                .hasMessage("the command under test Reconcile[account=acc-1] has not completed within PT30M of"
                        + " virtual time after 31 attempt(s); the next scheduled task is due at +PT31M. Raise"
                        + " withMaxVirtualTime(...) or check the retry policy");
    }

    @Test
    void theDefaultMaximumVirtualTimeLetsLongRetriesFinish() {
        CommandFixture.forCommand(Reconcile.SPEC)
                .when(new Reconcile("acc-1"))
                .expectException(AuctionStoreUnavailable.class)
                .expectAttempts(101)
                .expectElapsed(Duration.ofMinutes(100))
                .expectDeadLettered();
    }

    /** A command handled asynchronously by a worker: in the fixture this node is the worker. */
    record ShipParcel(String parcel) implements Command<Accepted> {
        static final CommandSpec<ShipParcel> SPEC = CommandSpec.of(ShipParcel.class, "parcels.ship")
                .handler((ShipParcel c, HandlerContext<Accepted> ctx) -> ctx.record("shipped " + c.parcel()))
                .capability(HandledAsynchronously.by("parcel-worker"))
                .build();
    }

    @Test
    void aCommandHandledAsynchronouslyRunsItsHandlersInTheFixtureAsOnItsWorker() {
        CommandFixture.forCommand(ShipParcel.SPEC)
                .when(new ShipParcel("p-7"))
                .expectSuccess()
                .expectEvents("shipped p-7")
                .expectAttempts(1);
    }

    @Test
    void theFixtureRunsOneWhenAndRefusesSetupOnceItsBusIsBuilt() {
        CommandFixture<RaiseBid, BigDecimal> fixture = fixture();
        fixture.given(new OpenAuction("A1", eur("10.00"))).when(new RaiseBid("A1", "alice", eur("11.00")));

        assertThatThrownBy(() -> fixture.when(new RaiseBid("A1", "bob", eur("12.00"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("A CommandFixture runs one when(...); create a new fixture per test");
        assertThatThrownBy(() -> fixture.withMaxVirtualTime(Duration.ofHours(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("withMaxVirtualTime: the fixture's bus is already built; configure the fixture before"
                        + " given/when");
        assertThatThrownBy(() -> CommandFixture.forCommand(RaiseBid.SPEC)
                .withHandlers(new CheckBidAmount(auctions), new CheckBidAmount(auctions)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two instances of " + CheckBidAmount.class.getName());
    }

    /** Needs a constructor argument, and no instance or factory is given for it. */
    static final class NeedsAStore implements CommandHandler<NotifyBidders, Void> {
        NeedsAStore(FlakyAuctions store) {
        }

        @Override
        public void handle(NotifyBidders command, HandlerContext<Void> context) {
        }
    }

    @Test
    void aBusConfigurationProblemSurfacesAsTheBusReportsIt() {
        CommandFixture<NotifyBidders, Void> fixture = CommandFixture.forCommand(CommandSpec.of(NotifyBidders.class,
                "auction.notify-bidders").handler(NeedsAStore.class).build());

        assertThatThrownBy(() -> fixture.when(new NotifyBidders("A1")))
                .isInstanceOf(BusConfigurationException.class)
                .hasMessageContaining("Handler " + NeedsAStore.class.getName())
                .hasMessageContaining("has no no-argument constructor");
    }
}
