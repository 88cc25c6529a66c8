package dev.trench.examples.auction.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.MessageId;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuctionStore} must do, run against each implementation. A subclass gives a store on empty state
 * ({@link #newStore()}) and a second one on the same state ({@link #anotherWorker()}), as a second worker of the
 * cluster has; for an in-process store that is the same instance.
 */
abstract class AuctionStoreContractTest {
    protected static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    protected static final Instant ENDS_AT = NOW.plusSeconds(60);

    private static final Supplier<MessageId> NEXT = MessageId.generator(Clock.systemUTC());
    private final Map<String, MessageId> ids = new ConcurrentHashMap<>();
    private final List<ExecutorService> pools = new ArrayList<>();

    /** The store under test (a worker); A1 is open on it. */
    protected AuctionStore store;

    /** A store on empty state; called once per test, before anything else. */
    protected abstract AuctionStore newStore();

    /** Another store on the same state as {@link #newStore()}'s, as a second worker has. */
    protected abstract AuctionStore anotherWorker();

    protected MessageId id(String name) {
        return ids.computeIfAbsent(name, n -> NEXT.get());
    }

    protected static Auction auction(String id, String startingPrice, String minIncrement, Instant endsAt) {
        return new Auction(id, "Lamp " + id, new BigDecimal(startingPrice), new BigDecimal(minIncrement), endsAt, null,
                null, 0);
    }

    @BeforeEach
    final void openA1() {
        store = newStore();
        assertThat(store.open(auction("A1", "10.00", "0.50", ENDS_AT))).isTrue();
    }

    @AfterEach
    final void stopPools() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    // ---- the rules

    @Test
    void theFirstBidMustReachTheStartingPriceAndEachNextOneTheIncrement() {
        assertThat(store.placeBid("A1", id("c1"), "ann", new BigDecimal("9.99"), NOW))
                .isEqualTo(new BidDecision.Refused("bid-too-low", "bid 9.99 is below the minimum 10.00"));
        assertThat(store.placeBid("A1", id("c2"), "ann", new BigDecimal("10.00"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> assertThat(p.bid().seq()).isEqualTo(1));
        assertThat(store.placeBid("A1", id("c3"), "bob", new BigDecimal("10.49"), NOW))
                .isEqualTo(new BidDecision.Refused("bid-too-low", "bid 10.49 is below the minimum 10.50"));
        assertThat(store.placeBid("A1", id("c4"), "bob", new BigDecimal("10.50"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> {
                    assertThat(p.bid().seq()).isEqualTo(2);
                    assertThat(p.bid().userId()).isEqualTo("bob");
                    assertThat(p.bid().amount()).isEqualByComparingTo("10.50");
                    assertThat(p.bid().at()).isEqualTo(NOW);
                    assertThat(p.bid().auctionId()).isEqualTo("A1");
                    assertThat(p.bid().commandId()).isEqualTo(id("c4"));
                });
        assertThat(store.find("A1")).get().satisfies(a -> {
            assertThat(a.highest()).isEqualByComparingTo("10.50");
            assertThat(a.leader()).isEqualTo("bob");
            assertThat(a.seq()).isEqualTo(2);
        });
    }

    @Test
    void amountsAreComparedExactlyNeverAsBinaryFloats() {
        // 0.10 + 0.20 is 0.30000000000000004 in doubles: a float comparison would refuse 0.30
        store.open(auction("F1", "0.10", "0.20", ENDS_AT));
        assertThat(store.placeBid("F1", id("f1"), "ann", new BigDecimal("0.10"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.placeBid("F1", id("f2"), "bob", new BigDecimal("0.30"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.placeBid("F1", id("f3"), "ann", new BigDecimal("0.49"), NOW))
                .isEqualTo(new BidDecision.Refused("bid-too-low", "bid 0.49 is below the minimum 0.50"));

        // 10.05 then 10.1 (= 10.10, one decimal only) with an increment of 0.05
        store.open(auction("F2", "10.00", "0.05", ENDS_AT));
        assertThat(store.placeBid("F2", id("g1"), "ann", new BigDecimal("10.05"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.placeBid("F2", id("g2"), "bob", new BigDecimal("10.09"), NOW))
                .isInstanceOf(BidDecision.Refused.class);
        assertThat(store.placeBid("F2", id("g3"), "bob", new BigDecimal("10.1"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class,
                        p -> assertThat(p.bid().amount()).isEqualByComparingTo("10.10"));
        assertThat(store.placeBid("F2", id("g4"), "ann", new BigDecimal("10.10"), NOW))
                .isEqualTo(new BidDecision.Refused("bid-too-low", "bid 10.10 is below the minimum 10.15"));
        assertThat(store.placeBid("F2", id("g5"), "ann", new BigDecimal("10.15"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.find("F2").orElseThrow().highest()).isEqualByComparingTo("10.15");
    }

    @Test
    void closedAndUnknownAuctionsRefuseBids() {
        assertThat(store.placeBid("A1", id("c1"), "ann", new BigDecimal("50"), NOW.plusSeconds(61)))
                .isEqualTo(new BidDecision.Refused("auction-closed", "auction A1 closed at " + ENDS_AT));
        assertThat(store.placeBid("nope", id("c2"), "ann", new BigDecimal("50"), NOW))
                .isEqualTo(new BidDecision.Refused("unknown-auction", "no auction nope"));
        assertThat(store.find("A1").orElseThrow().seq()).isZero();
    }

    @Test
    void aBidAtExactlyTheEndIsRefusedAndOneANanosecondEarlierIsAccepted() {
        Instant endsAt = NOW.plusSeconds(10).plusNanos(500);
        store.open(auction("E1", "1.00", "1.00", endsAt));

        assertThat(store.placeBid("E1", id("at-end"), "ann", new BigDecimal("5.00"), endsAt))
                .isInstanceOfSatisfying(BidDecision.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo("auction-closed"));
        assertThat(store.placeBid("E1", id("same-milli"), "ann", new BigDecimal("5.00"), endsAt.plusNanos(1)))
                .isInstanceOfSatisfying(BidDecision.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo("auction-closed"));
        assertThat(store.placeBid("E1", id("just-before"), "bob", new BigDecimal("5.00"), endsAt.minusNanos(1)))
                .isInstanceOfSatisfying(BidDecision.Placed.class,
                        p -> assertThat(p.bid().at()).isEqualTo(endsAt.minusNanos(1)));
    }

    // ---- idempotency per command id

    @Test
    void aBidForTheSameCommandIdIsPlacedOnceAndAnsweredTheSameWayAgain() {
        BidDecision first = store.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW);
        BidDecision again = store.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW.plusSeconds(1));

        assertThat(first).isInstanceOf(BidDecision.Placed.class);
        assertThat(again).isEqualTo(first);
        assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(1);
        assertThat(store.acceptedBid("A1", id("c1"))).get().extracting(Bid::seq).isEqualTo(1L);
        assertThat(store.acceptedBid("A1", id("never-sent"))).isEmpty();
        assertThat(store.acceptedBid("nope", id("c1"))).isEmpty();
    }

    @Test
    void aRetriedCommandIsNeverRefusedByItsOwnSuccessEvenAfterHigherBidsOrTheEnd() {
        BidDecision first = store.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW);
        store.placeBid("A1", id("c2"), "bob", new BigDecimal("13.00"), NOW);

        AuctionStore worker2 = anotherWorker();
        assertThat(worker2.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW.plusSeconds(1)))
                .isEqualTo(first);
        assertThat(worker2.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), ENDS_AT.plusSeconds(5)))
                .isEqualTo(first);
        assertThat(worker2.acceptedBid("A1", id("c2"))).get().satisfies(b -> {
            assertThat(b.seq()).isEqualTo(2);
            assertThat(b.userId()).isEqualTo("bob");
            assertThat(b.amount()).isEqualByComparingTo("13.00");
        });
        assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(2);
    }

    // ---- opening, reading, listing, participants

    @Test
    void anAuctionIsOpenedOnceAndReadBackExactly() {
        Instant endsAt = Instant.parse("2026-11-23T12:34:56.123456789Z");
        Auction opened = new Auction("R1", "Radio: 1950s, works", new BigDecimal("12.34"), new BigDecimal("0.05"),
                endsAt, null, null, 0);
        assertThat(store.open(opened)).isTrue();
        assertThat(anotherWorker().open(auction("R1", "1.00", "1.00", NOW))).isFalse();

        Auction read = anotherWorker().find("R1").orElseThrow();
        assertThat(read.id()).isEqualTo("R1");
        assertThat(read.title()).isEqualTo("Radio: 1950s, works");
        assertThat(read.startingPrice()).isEqualByComparingTo("12.34");
        assertThat(read.minIncrement()).isEqualByComparingTo("0.05");
        assertThat(read.endsAt()).isEqualTo(endsAt);
        assertThat(read.highest()).isNull();
        assertThat(read.leader()).isNull();
        assertThat(read.seq()).isZero();
        assertThat(store.find("nope")).isEmpty();
    }

    @Test
    void listOpenGivesTheAuctionsOpenAtAnInstantSortedById() {
        store.open(auction("A2", "1.00", "1.00", NOW.plusSeconds(30)));
        store.open(auction("A0", "1.00", "1.00", NOW));
        store.open(auction("A3", "1.00", "1.00", NOW.plusSeconds(10).plusNanos(500)));

        assertThat(store.listOpen(NOW)).extracting(Auction::id).containsExactly("A1", "A2", "A3");
        assertThat(anotherWorker().listOpen(NOW.plusSeconds(10).plusNanos(499))).extracting(Auction::id)
                .containsExactly("A1", "A2", "A3");
        assertThat(store.listOpen(NOW.plusSeconds(10).plusNanos(500))).extracting(Auction::id)
                .containsExactly("A1", "A2");
        assertThat(store.listOpen(NOW.plusSeconds(30))).extracting(Auction::id).containsExactly("A1");
        assertThat(store.listOpen(ENDS_AT)).isEmpty();
    }

    @Test
    void listOpenShowsTheCurrentState() {
        store.placeBid("A1", id("c1"), "ann", new BigDecimal("11.00"), NOW);
        assertThat(store.listOpen(NOW)).singleElement().satisfies(a -> {
            assertThat(a.highest()).isEqualByComparingTo("11.00");
            assertThat(a.leader()).isEqualTo("ann");
            assertThat(a.seq()).isEqualTo(1);
        });
    }

    @Test
    void participantsAreASetOfAnExistingAuction() {
        store.addParticipant("A1", "ann");
        store.addParticipant("A1", "ann");
        anotherWorker().addParticipant("A1", "bob");
        store.addParticipant("nope", "carl");

        assertThat(store.participants("A1")).containsExactlyInAnyOrder("ann", "bob");
        assertThat(anotherWorker().participants("A1")).containsExactlyInAnyOrder("ann", "bob");
        assertThat(store.participants("nope")).isEmpty();
        store.open(auction("nope", "1.00", "1.00", ENDS_AT));
        assertThat(store.participants("nope")).isEmpty();
    }

    // ---- races between workers

    @Test
    void racingEqualBidsAreAcceptedOnceAndSequenceNumbersNeverRepeat() throws Exception {
        AuctionStore[] workers = {store, anotherWorker()};
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BidDecision>> results = new ArrayList<>();
        ExecutorService pool = pool(threads);
        for (int t = 0; t < threads; t++) {
            AuctionStore worker = workers[t % 2];
            MessageId cmd = id("c" + t);
            String user = "user" + t;
            results.add(pool.submit(() -> {
                go.await();
                return worker.placeBid("A1", cmd, user, new BigDecimal("20.00"), NOW);
            }));
        }
        go.countDown();
        int placed = 0;
        for (Future<BidDecision> f : results) {
            BidDecision decision = f.get(30, TimeUnit.SECONDS);
            if (decision instanceof BidDecision.Placed) {
                placed++;
            } else {
                assertThat(((BidDecision.Refused) decision).reason()).isEqualTo("bid-too-low");
            }
        }
        assertThat(placed).isEqualTo(1);
        assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(1);
    }

    @Test
    void theSameCommandRacedThroughTwoWorkersPlacesOneBid() throws Exception {
        AuctionStore[] workers = {store, anotherWorker()};
        int threads = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BidDecision>> results = new ArrayList<>();
        ExecutorService pool = pool(threads);
        for (int t = 0; t < threads; t++) {
            AuctionStore worker = workers[t % 2];
            results.add(pool.submit(() -> {
                go.await();
                return worker.placeBid("A1", id("resent"), "ann", new BigDecimal("15.00"), NOW);
            }));
        }
        go.countDown();
        Set<BidDecision> distinct = new HashSet<>();
        for (Future<BidDecision> f : results) {
            distinct.add(f.get(30, TimeUnit.SECONDS));
        }
        assertThat(distinct).singleElement().isInstanceOfSatisfying(BidDecision.Placed.class,
                p -> assertThat(p.bid().seq()).isEqualTo(1));
        assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(1);
    }

    /**
     * Two workers, several threads each, all walking up the same ladder of amounts (step 0.05, increment 0.25) with
     * fresh command ids, their clocks crossing the end time on the way. Whatever the interleaving: each amount is
     * accepted at most once, sequence numbers run 1..n without gap, each accepted bid beats the one before by the
     * increment, none is accepted at or after the end, and the auction ends on the highest accepted bid.
     */
    @Test
    void workersRacingUpTheSameLadderNeverBreakTheRules() throws Exception {
        AuctionStore[] workers = {store, anotherWorker()};
        BigDecimal increment = new BigDecimal("0.25");
        store.open(new Auction("HOT", "Hot lamp", new BigDecimal("10.00"), increment, ENDS_AT, null, null, 0));
        int threadsPerWorker = 6;
        int rungs = 80; // rung i bids at NOW + i seconds: rungs 60 and up are after the end
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Attempt>>> results = new ArrayList<>();
        ExecutorService pool = pool(threadsPerWorker * workers.length);
        for (int w = 0; w < workers.length; w++) {
            for (int t = 0; t < threadsPerWorker; t++) {
                AuctionStore worker = workers[w];
                String user = "w" + w + "t" + t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<Attempt> attempts = new ArrayList<>();
                    for (int i = 0; i < rungs; i++) {
                        BigDecimal amount = new BigDecimal("10.00").add(new BigDecimal("0.05").multiply(
                                BigDecimal.valueOf(i)));
                        Instant now = NOW.plusSeconds(i);
                        MessageId cmd = NEXT.get();
                        attempts.add(new Attempt(cmd, amount, now,
                                worker.placeBid("HOT", cmd, user, amount, now)));
                    }
                    return attempts;
                }));
            }
        }
        go.countDown();
        List<Attempt> all = new ArrayList<>();
        for (Future<List<Attempt>> f : results) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }

        List<Bid> accepted = new ArrayList<>();
        for (Attempt a : all) {
            if (a.decision instanceof BidDecision.Placed placed) {
                assertThat(placed.bid().commandId()).isEqualTo(a.commandId);
                assertThat(placed.bid().amount()).isEqualByComparingTo(a.amount);
                assertThat(a.now).isBefore(ENDS_AT);
                accepted.add(placed.bid());
            } else {
                BidDecision.Refused refused = (BidDecision.Refused) a.decision;
                assertThat(refused.reason()).isEqualTo(a.now.isBefore(ENDS_AT) ? "bid-too-low" : "auction-closed");
            }
        }
        assertThat(accepted).isNotEmpty();
        accepted.sort(Comparator.comparingLong(Bid::seq));

        Map<BigDecimal, Integer> perAmount = new HashMap<>();
        for (Bid b : accepted) {
            perAmount.merge(b.amount().stripTrailingZeros(), 1, Integer::sum);
        }
        assertThat(perAmount.values()).as("each amount accepted at most once").allMatch(n -> n == 1);
        for (int i = 0; i < accepted.size(); i++) {
            assertThat(accepted.get(i).seq()).as("sequence without gap").isEqualTo(i + 1L);
            if (i == 0) {
                assertThat(accepted.get(i).amount()).isGreaterThanOrEqualTo(new BigDecimal("10.00"));
            } else {
                assertThat(accepted.get(i).amount()).as("bid %d beats the one before by the increment", i + 1)
                        .isGreaterThanOrEqualTo(accepted.get(i - 1).amount().add(increment));
            }
        }
        Bid last = accepted.get(accepted.size() - 1);
        BigDecimal maxAccepted = accepted.stream().map(Bid::amount).max(Comparator.naturalOrder()).orElseThrow();
        for (AuctionStore worker : workers) {
            Auction hot = worker.find("HOT").orElseThrow();
            assertThat(hot.seq()).isEqualTo(accepted.size());
            assertThat(hot.highest()).isEqualByComparingTo(maxAccepted);
            assertThat(hot.leader()).isEqualTo(last.userId());
        }
        for (Bid b : accepted) {
            assertThat(workers[1].acceptedBid("HOT", b.commandId())).contains(b);
        }
    }

    private record Attempt(MessageId commandId, BigDecimal amount, Instant now, BidDecision decision) {
    }

    private ExecutorService pool(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }
}
