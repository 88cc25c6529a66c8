package dev.trench.examples.auction.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisAuctionStore} against a server that requires a password ({@code requirepass}). */
class RedisAuctionStorePasswordTest {
    private static final String PASSWORD = "Pa55-word:with@odd/chars";

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.withPassword(PASSWORD);

    private static final Instant ENDS_AT = Instant.parse("2030-01-01T00:00:00Z");

    private static Auction lamp(String id) {
        return new Auction(id, "Lamp", new BigDecimal("10.00"), new BigDecimal("0.50"), ENDS_AT, null, null, 0);
    }

    @Test
    void theRightPasswordIsAccepted() {
        REDIS.flushAll();
        try (RedisAuctionStore store = RedisAuctionStore.connect(REDIS.uri(), PASSWORD)) {
            store.checkConnection();
            assertThat(store.open(lamp("P1"))).isTrue();
            assertThat(store.find("P1")).isPresent();
            assertThat(store.toString()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aPasswordInTheAddressIsUsedWhenNoneIsGiven() {
        REDIS.flushAll();
        String encoded = "Pa55-word:with%40odd%2Fchars";
        String address = "redis://:" + encoded + "@127.0.0.1:" + REDIS.server().port();
        try (RedisAuctionStore store = RedisAuctionStore.connect(address, null)) {
            assertThat(store.open(lamp("P2"))).isTrue();
            assertThat(store.toString()).doesNotContain("Pa55");
        }
    }

    @Test
    void aWrongOrMissingPasswordFailsClearlyWithoutShowingIt() {
        try (RedisAuctionStore wrong = RedisAuctionStore.connect(REDIS.uri(), "not-the-password");
                RedisAuctionStore none = RedisAuctionStore.connect(REDIS.uri(), null)) {
            assertThatThrownBy(() -> wrong.open(lamp("P3")))
                    .isInstanceOf(AuctionStoreException.class)
                    .hasMessageStartingWith("Redis auction store at " + REDIS.uri())
                    .hasMessageContaining("opening auction P3")
                    .hasMessageNotContaining("not-the-password")
                    .satisfies(e -> assertThat(e.getCause().getMessage()).doesNotContain("not-the-password"));
            assertThatThrownBy(() -> none.find("P3"))
                    .isInstanceOf(AuctionStoreException.class)
                    .hasMessageContaining("NOAUTH");
        }
    }
}
