package dev.trench.examples.auction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BidRateLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void aUserMayPlaceItsBurstAtOnceThenWaits() {
        BidRateLimiter limiter = new BidRateLimiter(2, 3, 100, nanos::get);

        assertThat(limiter.tryAcquire("alice")).isZero();
        assertThat(limiter.tryAcquire("alice")).isZero();
        assertThat(limiter.tryAcquire("alice")).isZero();
        assertThat(limiter.tryAcquire("alice")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void theBucketRefillsAtTheConfiguredRate() {
        BidRateLimiter limiter = new BidRateLimiter(4, 1, 100, nanos::get);
        assertThat(limiter.tryAcquire("alice")).isZero();
        assertThat(limiter.tryAcquire("alice")).isEqualTo(Duration.ofMillis(250));

        nanos.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(limiter.tryAcquire("alice")).isEqualTo(Duration.ofMillis(150));

        nanos.addAndGet(Duration.ofMillis(150).toNanos());
        assertThat(limiter.tryAcquire("alice")).isZero();
    }

    @Test
    void usersHaveBucketsOfTheirOwn() {
        BidRateLimiter limiter = new BidRateLimiter(1, 1, 100, nanos::get);

        assertThat(limiter.tryAcquire("alice")).isZero();
        assertThat(limiter.tryAcquire("alice")).isPositive();
        assertThat(limiter.tryAcquire("bob")).isZero();
    }

    @Test
    void theMapOfUsersIsBoundedAndForgetsTheLeastRecentlySeen() {
        BidRateLimiter limiter = new BidRateLimiter(1, 1, 2, nanos::get);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("bob");
        limiter.tryAcquire("alice");                // alice seen last, bob least recently

        limiter.tryAcquire("carol");                // bob is forgotten

        assertThat(limiter.trackedUsers()).isEqualTo(2);
        assertThat(limiter.tryAcquire("bob")).as("a forgotten user starts with a full bucket").isZero();
        assertThat(limiter.tryAcquire("alice")).as("alice was forgotten in turn when bob came back").isZero();
    }

    @Test
    void invalidSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new BidRateLimiter(0, 1, 1)).hasMessage("bidsPerSecond: must be a positive number, was 0.0");
        assertThatThrownBy(() -> new BidRateLimiter(1, 0, 1)).hasMessage("burst: must be >= 1, was 0");
        assertThatThrownBy(() -> new BidRateLimiter(1, 1, 0)).hasMessage("maxUsers: must be >= 1, was 0");
    }
}
