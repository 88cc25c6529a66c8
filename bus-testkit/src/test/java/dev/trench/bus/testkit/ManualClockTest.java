package dev.trench.bus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void startsAtTheDefaultInstantInUtcAndStandsStill() {
        ManualClock clock = new ManualClock();

        assertThat(clock.instant()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(clock.instant()).isEqualTo(clock.instant());
        assertThat(clock.millis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli());
        assertThat(clock.getZone()).isEqualTo(ZoneId.of("Z"));
    }

    @Test
    void advanceMovesForwardAndReturnsTheNewTime() {
        ManualClock clock = new ManualClock(Instant.parse("2030-06-01T12:00:00Z"));

        Instant after = clock.advance(Duration.ofMillis(1500));

        assertThat(after).isEqualTo(Instant.parse("2030-06-01T12:00:01.500Z"));
        assertThat(clock.instant()).isEqualTo(after);
        clock.advance(Duration.ofNanos(1));
        assertThat(clock.instant().getNano()).isEqualTo(500_000_001);
    }

    @Test
    void setMayGoBackButAdvanceRefusesANegativeAmount() {
        ManualClock clock = new ManualClock();

        clock.set(Instant.parse("2000-01-01T00:00:00Z"));

        assertThat(clock.instant()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("amount: must not be negative, was PT-0.001S; use set(Instant) to move the clock back");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    }

    @Test
    void aZonedViewSharesTheTime() {
        ManualClock clock = new ManualClock();
        ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofHours(1));

        assertThat(paris.instant()).isEqualTo(clock.instant());
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(java.time.LocalTime.now(paris)).isEqualTo(java.time.LocalTime.of(2, 0));
        assertThat(clock.withZone(clock.getZone())).isSameAs(clock);
        assertThat(paris).isNotEqualTo(clock).isEqualTo(clock.withZone(ZoneId.of("Europe/Paris")));
    }

    @Test
    void advancesFromManyThreadsAreNeverLost() throws Exception {
        ManualClock clock = new ManualClock();
        int threads = 8;
        int perThread = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        clock.advance(Duration.ofMillis(1));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusMillis(threads * perThread));
    }
}
