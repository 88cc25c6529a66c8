package dev.trench.bus.middleware.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.RetryDelay;
import java.time.Duration;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The wait before any retry stays within [0, cap], for every retry number up to Integer.MAX_VALUE. */
class RetryDelaysPropertiesTest {
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    @Property(tries = 2000)
    void exponentialDelaysStayWithinTheCapForAnyRetryNumber(
            @ForAll @IntRange(min = 1) int retry,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long initialMillis,
            @ForAll @DoubleRange(min = 1.0, max = 1.0e6) double multiplier,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 1_000_000_000L) long maxSeconds,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long capMillis) {
        RetryDelay delay = RetryDelay.exponential(Duration.ofMillis(initialMillis), multiplier,
                Duration.ofSeconds(maxSeconds));

        long millis = RetryDelays.clampedMillis(delay, retry, capMillis);

        assertThat(millis).isBetween(0L, capMillis);
    }

    @Property(tries = 2000)
    void retryNumbersNearIntegerMaxValueGiveTheCapForAGrowingDelay(
            @ForAll @IntRange(min = Integer.MAX_VALUE - 1000) int retry,
            @ForAll @DoubleRange(min = 1.5, max = 100) double multiplier,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long capMillis) {
        RetryDelay delay = RetryDelay.exponential(Duration.ofMillis(1), multiplier, RetryDelay.DEFAULT_CAP);

        long millis = RetryDelays.clampedMillis(delay, retry, capMillis);

        assertThat(millis).isEqualTo(Math.min(capMillis, RetryDelay.DEFAULT_CAP.toMillis()));
    }

    @Property(tries = 1000)
    void jitteredDelaysStayWithinTheCap(
            @ForAll @IntRange(min = 1) int retry,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long initialMillis,
            @ForAll @DoubleRange(min = 1.0, max = 1000) double multiplier,
            @ForAll @DoubleRange(min = 0, max = 1) double jitter,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long capMillis) {
        RetryDelay delay = RetryDelay.exponential(Duration.ofMillis(initialMillis), multiplier, Duration.ofDays(365))
                .withJitter(jitter);

        assertThat(RetryDelays.clampedMillis(delay, retry, capMillis)).isBetween(0L, capMillis);
    }

    @Property(tries = 1000)
    void anyDurationAFunctionReturnsIsClampedWithoutOverflow(
            @ForAll @IntRange(min = 1) int retry,
            @ForAll long seconds,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @LongRange(min = 0, max = 86_400_000L) long capMillis) {
        Duration returned = Duration.ofSeconds(seconds, nanos);
        RetryDelay delay = r -> returned;

        long millis = RetryDelays.clampedMillis(delay, retry, capMillis);

        assertThat(millis).isBetween(0L, capMillis);
        if (!returned.isNegative() && returned.compareTo(Duration.ofMillis(capMillis)) < 0) {
            assertThat(millis).isEqualTo(returned.toMillis());
        }
    }

    @Example
    void theLongestDurationThereIsGivesTheCap() {
        RetryDelay delay = r -> Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

        assertThat(RetryDelays.clampedMillis(delay, Integer.MAX_VALUE, DAY_MILLIS)).isEqualTo(DAY_MILLIS);
    }

    @Example
    void aFunctionReturningNullOrANegativeDelayWaitsNothing() {
        assertThat(RetryDelays.clampedMillis(r -> null, 1, DAY_MILLIS)).isZero();
        assertThat(RetryDelays.clampedMillis(r -> Duration.ofMillis(-5), 1, DAY_MILLIS)).isZero();
    }

    @Example
    void aFunctionThatThrowsWaitsTheCap() {
        RetryDelay broken = r -> {
            throw new ArithmeticException("overflow in user code");
        };

        assertThat(RetryDelays.clampedMillis(broken, 7, 60_000)).isEqualTo(60_000);
    }
}
