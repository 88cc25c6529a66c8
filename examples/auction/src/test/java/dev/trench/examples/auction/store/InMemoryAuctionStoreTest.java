package dev.trench.examples.auction.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.MessageId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryAuctionStoreTest {
    private static final java.util.Map<String, MessageId> IDS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.function.Supplier<MessageId> NEXT = MessageId.generator(java.time.Clock.systemUTC());

    private static MessageId id(String name) {
        return IDS.computeIfAbsent(name, n -> NEXT.get());
    }

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final InMemoryAuctionStore store = new InMemoryAuctionStore();

    @BeforeEach
    void openA1() {
        store.open(new Auction("A1", "Lamp", new BigDecimal("10.00"), new BigDecimal("0.50"),
                NOW.plusSeconds(60), null, null, 0));
    }

    @Test
    void theFirstBidMustReachTheStartingPriceAndEachNextOneTheIncrement() {
        assertThat(store.placeBid("A1", id("c1"), "ann", new BigDecimal("9.99"), NOW))
                .isEqualTo(new BidDecision.Refused("bid-too-low", "bid 9.99 is below the minimum 10.00"));
        assertThat(store.placeBid("A1", id("c2"), "ann", new BigDecimal("10.00"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> assertThat(p.bid().seq()).isEqualTo(1));
        assertThat(store.placeBid("A1", id("c3"), "bob", new BigDecimal("10.49"), NOW))
                .isInstanceOf(BidDecision.Refused.class);
        assertThat(store.placeBid("A1", id("c4"), "bob", new BigDecimal("10.50"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> assertThat(p.bid().seq()).isEqualTo(2));
        assertThat(store.find("A1")).get().satisfies(a -> {
            assertThat(a.highest()).isEqualByComparingTo("10.50");
            assertThat(a.leader()).isEqualTo("bob");
            assertThat(a.seq()).isEqualTo(2);
        });
    }

    @Test
    void aBidForTheSameCommandIdIsPlacedOnceAndAnsweredTheSameWayAgain() {
        BidDecision first = store.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW);
        BidDecision again = store.placeBid("A1", id("c1"), "ann", new BigDecimal("12.00"), NOW.plusSeconds(1));

        assertThat(again).isEqualTo(first);
        assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(1);
        assertThat(store.acceptedBid("A1", id("c1"))).get().extracting(Bid::seq).isEqualTo(1L);
    }

    @Test
    void closedAndUnknownAuctionsRefuseBids() {
        assertThat(store.placeBid("A1", id("c1"), "ann", new BigDecimal("50"), NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(BidDecision.Refused.class, r -> assertThat(r.reason()).isEqualTo("auction-closed"));
        assertThat(store.placeBid("nope", id("c2"), "ann", new BigDecimal("50"), NOW))
                .isInstanceOfSatisfying(BidDecision.Refused.class, r -> assertThat(r.reason()).isEqualTo("unknown-auction"));
    }

    @Test
    void racingEqualBidsAreAcceptedOnceAndSequenceNumbersNeverRepeat() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BidDecision>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                MessageId cmd = id("c" + t);
                String user = "user" + t;
                results.add(pool.submit(() -> {
                    go.await();
                    return store.placeBid("A1", cmd, user, new BigDecimal("20.00"), NOW);
                }));
            }
            go.countDown();
            int placed = 0;
            for (Future<BidDecision> f : results) {
                if (f.get(10, TimeUnit.SECONDS) instanceof BidDecision.Placed) {
                    placed++;
                }
            }
            assertThat(placed).isEqualTo(1);
            assertThat(store.find("A1").orElseThrow().seq()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
