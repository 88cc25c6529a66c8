package dev.trench.examples.auction.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.InvalidCommandException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The {@link AuctionStoreContractTest} on {@link RedisAuctionStore} against a real {@code redis-server}; each
 * "worker" is a separate store instance with its own connection pool. Then what only Redis has: the key schema,
 * the idempotency bound, {@code NOSCRIPT} recovery, connection failures.
 */
class RedisAuctionStoreTest extends AuctionStoreContractTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final List<RedisAuctionStore> opened = new ArrayList<>();

    @Override
    protected AuctionStore newStore() {
        REDIS.flushAll();
        return connect(RedisAuctionStore.builder(REDIS.uri()));
    }

    @Override
    protected AuctionStore anotherWorker() {
        return connect(RedisAuctionStore.builder(REDIS.uri()));
    }

    private RedisAuctionStore connect(RedisAuctionStore.Builder builder) {
        RedisAuctionStore s = builder.build();
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisAuctionStore::close);
    }

    @Test
    void keepsTheDocumentedSchemaWithAmountsInCents() {
        store.placeBid("A1", id("c1"), "ann:the:first", new BigDecimal("10.05"), NOW.plusNanos(7));
        store.addParticipant("A1", "ann:the:first");

        try (RedisClient raw = REDIS.server().newClient()) {
            Map<String, String> hash = raw.hgetAll("auction:{A1}");
            assertThat(hash).containsEntry("id", "A1")
                    .containsEntry("title", "Lamp A1")
                    .containsEntry("startingPrice", "1000")
                    .containsEntry("minIncrement", "50")
                    .containsEntry("endsAtSec", Long.toString(ENDS_AT.getEpochSecond()))
                    .containsEntry("endsAtNano", "0")
                    .containsEntry("endsAtMillis", Long.toString(ENDS_AT.toEpochMilli()))
                    .containsEntry("highest", "1005")
                    .containsEntry("leader", "ann:the:first")
                    .containsEntry("seq", "1");
            assertThat(raw.hget("auction:{A1}:bids", id("c1").toString()))
                    .isEqualTo("1:1005:" + NOW.getEpochSecond() + ":7:ann:the:first");
            assertThat(raw.lrange("auction:{A1}:bid-log", 0, -1)).containsExactly(id("c1").toString());
            assertThat(raw.smembers("auction:{A1}:participants")).containsExactly("ann:the:first");
            assertThat(raw.zscore(RedisAuctionStore.INDEX_KEY, "A1")).isEqualTo((double) ENDS_AT.toEpochMilli());
            assertThat(raw.ttl("auction:{A1}")).as("nothing expires").isEqualTo(-1);
        }
        // the user id with colons survives the record's encoding
        assertThat(anotherWorker().acceptedBid("A1", id("c1"))).get().satisfies(b -> {
            assertThat(b.userId()).isEqualTo("ann:the:first");
            assertThat(b.at()).isEqualTo(NOW.plusNanos(7));
        });
    }

    @Test
    void theIdempotencyMemoryIsBoundedPerAuction() {
        RedisAuctionStore small = connect(RedisAuctionStore.builder(REDIS.uri()).rememberedBids(3));
        for (int i = 1; i <= 5; i++) {
            assertThat(small.placeBid("A1", id("c" + i), "ann", new BigDecimal(10 + i), NOW))
                    .isInstanceOf(BidDecision.Placed.class);
        }
        try (RedisClient raw = REDIS.server().newClient()) {
            assertThat(raw.hlen("auction:{A1}:bids")).isEqualTo(3);
            assertThat(raw.llen("auction:{A1}:bid-log")).isEqualTo(3);
        }
        assertThat(small.acceptedBid("A1", id("c1"))).isEmpty();
        assertThat(small.acceptedBid("A1", id("c2"))).isEmpty();
        for (int i = 3; i <= 5; i++) {
            assertThat(small.acceptedBid("A1", id("c" + i))).get().extracting(Bid::seq).isEqualTo((long) i);
        }
        // a remembered command is still answered with its bid, though lower than the highest now
        assertThat(small.placeBid("A1", id("c3"), "ann", new BigDecimal(13), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> assertThat(p.bid().seq()).isEqualTo(3));
        // a forgotten one is a new bid: here too low
        assertThat(small.placeBid("A1", id("c1"), "ann", new BigDecimal(11), NOW))
                .isInstanceOfSatisfying(BidDecision.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo("bid-too-low"));
        assertThat(small.find("A1").orElseThrow().seq()).isEqualTo(5);
    }

    @Test
    void scriptsAreSentAgainWhenRedisForgotThem() {
        assertThat(store.placeBid("A1", id("c1"), "ann", new BigDecimal("10.00"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        try (RedisClient raw = REDIS.server().newClient()) {
            raw.scriptFlush();
        }
        assertThat(store.placeBid("A1", id("c2"), "bob", new BigDecimal("10.50"), NOW))
                .isInstanceOfSatisfying(BidDecision.Placed.class, p -> assertThat(p.bid().seq()).isEqualTo(2));
        assertThat(store.open(auction("A2", "1.00", "1.00", ENDS_AT))).isTrue();
        store.addParticipant("A2", "bob");
        assertThat(store.participants("A2")).containsExactly("bob");
    }

    @Test
    void anInterruptedOpenIsRepairedByTheNextAttempt() {
        try (RedisClient raw = REDIS.server().newClient()) {
            raw.del(RedisAuctionStore.INDEX_KEY); // as if the worker died between the script and the ZADD
        }
        assertThat(store.listOpen(NOW)).isEmpty();
        assertThat(store.open(auction("A1", "10.00", "0.50", ENDS_AT))).isFalse();
        assertThat(store.listOpen(NOW)).extracting(Auction::id).containsExactly("A1");
    }

    @Test
    void amountsTheStoreCannotHoldExactlyAreInvalidAndTouchNothing() {
        assertThatThrownBy(() -> store.placeBid("A1", id("c1"), "ann", new BigDecimal("10.001"), NOW))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessage("amount: must have at most 2 decimals, was 10.001");
        assertThatThrownBy(() -> store.placeBid("A1", id("c2"), "ann", new BigDecimal("10000000000000.01"), NOW))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("must be at most 10000000000000.00");
        assertThatThrownBy(() -> store.open(auction("X", "1.001", "1", ENDS_AT)))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageStartingWith("startingPrice:");
        assertThat(store.find("A1").orElseThrow().seq()).isZero();
        assertThat(store.find("X")).isEmpty();

        // trailing zeros are fine, and the largest amount is compared exactly
        assertThat(store.placeBid("A1", id("c3"), "ann", new BigDecimal("10.000"), NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.placeBid("A1", id("c4"), "ann", RedisAuctionStore.MAX_AMOUNT, NOW))
                .isInstanceOf(BidDecision.Placed.class);
        assertThat(store.placeBid("A1", id("c5"), "ann", RedisAuctionStore.MAX_AMOUNT, NOW))
                .isInstanceOf(BidDecision.Refused.class);
        assertThat(store.find("A1").orElseThrow().highest()).isEqualByComparingTo(RedisAuctionStore.MAX_AMOUNT);
    }

    @Test
    void anUnreachableRedisFailsEveryOperationWithAClearUncheckedException() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        RedisAuctionStore down = connect(RedisAuctionStore.builder("redis://127.0.0.1:" + closedPort)
                .password("s3cret-never-shown").timeout(Duration.ofMillis(500)));

        assertThatThrownBy(() -> down.placeBid("A1", id("c1"), "ann", BigDecimal.TEN, NOW))
                .isInstanceOf(AuctionStoreException.class)
                .hasMessageStartingWith("Redis auction store at redis://127.0.0.1:" + closedPort
                        + " unreachable while placing a bid on auction A1")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> down.find("A1")).isInstanceOf(AuctionStoreException.class);
        assertThatThrownBy(() -> down.open(auction("A1", "1", "1", ENDS_AT))).isInstanceOf(AuctionStoreException.class);
        assertThatThrownBy(() -> down.listOpen(NOW)).isInstanceOf(AuctionStoreException.class);
        assertThatThrownBy(() -> down.participants("A1")).isInstanceOf(AuctionStoreException.class);
        assertThatThrownBy(() -> down.acceptedBid("A1", id("c1"))).isInstanceOf(AuctionStoreException.class);
        assertThatThrownBy(down::checkConnection).isInstanceOf(AuctionStoreException.class);
        assertThat(down.toString()).isEqualTo("RedisAuctionStore[redis://127.0.0.1:" + closedPort + "]");
    }

    @Test
    void addressesAreParsedAndNeverShowCredentials() {
        assertThat(RedisAuctionStore.builder("redis://:pw-in-uri@localhost:7000/2").build())
                .satisfies(s -> {
                    opened.add(s);
                    assertThat(s.toString()).isEqualTo("RedisAuctionStore[redis://localhost:7000/2]");
                });
        assertThat(connect(RedisAuctionStore.builder("redis://redis")).toString())
                .isEqualTo("RedisAuctionStore[redis://redis:6379]");
        assertThat(connect(RedisAuctionStore.builder("rediss://user:pw@[::1]:6380")).toString())
                .isEqualTo("RedisAuctionStore[rediss://[::1]:6380]");
        assertThatThrownBy(() -> RedisAuctionStore.builder("http://:topsecret@localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://host[:port][/database]")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> RedisAuctionStore.builder("redis://localhost:6379/zero"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database number");
        assertThatThrownBy(() -> RedisAuctionStore.builder("localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisAuctionStore.builder(REDIS.uri()).rememberedBids(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRestartedRedisIsUsedAgainWithoutStaleConnections() throws Exception {
        RedisServer server = REDIS.server();
        AuctionStore worker = anotherWorker();
        // leave several idle connections in the pool: concurrent readers each borrow one
        ExecutorService readers = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                reads.add(readers.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        assertThat(worker.find("A1")).isPresent();
                    }
                }));
            }
            for (Future<?> read : reads) {
                read.get(30, TimeUnit.SECONDS);
            }
        } finally {
            readers.shutdownNow();
        }
        server.restart(); // empty again: no persistence
        try {
            assertThat(worker.open(auction("A1", "10.00", "0.50", ENDS_AT))).isTrue();
        } catch (AuctionStoreException firstUseOfAStaleConnection) {
            // at most one failure (what the retry middleware absorbs), then fresh connections
            assertThat(worker.open(auction("A1", "10.00", "0.50", ENDS_AT))).isTrue();
        }
        assertThat(worker.placeBid("A1", id("c1"), "ann", new BigDecimal("10.00"), NOW))
                .isInstanceOf(BidDecision.Placed.class);

        server.stop();
        assertThatThrownBy(() -> worker.placeBid("A1", id("c2"), "ann", new BigDecimal("11.00"), NOW))
                .isInstanceOf(AuctionStoreException.class)
                .hasMessageContaining("unreachable while placing a bid on auction A1");
        server.restart();
        assertThat(worker.find("A1")).isEmpty();
    }
}
