package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class RetryDelayPropertyTest {

    @Property(tries = 2000)
    void exponentialDelaysNeverOverflowAndStayWithinTheirCap(
            @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int retry,
            @ForAll @LongRange(min = 0, max = 86_400_000) long initialMillis,
            @ForAll @DoubleRange(min = 1.0, max = 1000.0) double multiplier,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 1_000_000_000L) long capSeconds) {
        Duration cap = Duration.ofSeconds(capSeconds);
        Duration d = RetryDelay.exponential(Duration.ofMillis(initialMillis), multiplier, cap).delayFor(retry);

        assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(cap);
    }

    @Property(tries = 2000)
    void jitterStaysWithinItsBandAndTheDefaultCap(
            @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int retry,
            @ForAll @DoubleRange(min = 0.0, max = 1.0) double factor) {
        RetryDelay base = RetryDelay.exponential(Duration.ofMillis(100), 2.0, Duration.ofMinutes(5));
        Duration plain = base.delayFor(retry);

        Duration d = base.withJitter(factor).delayFor(retry);

        double low = plain.toNanos() * (1 - factor) - 1;
        double high = plain.toNanos() * (1 + factor) + 1;
        assertThat((double) d.toNanos()).isBetween(low, Math.max(high, 0));
        assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(RetryDelay.DEFAULT_CAP);
    }

    @Property
    void cappedAtNeverExceedsTheCap(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int retry,
            @ForAll @LongRange(min = 0, max = 3_600_000) long capMillis) {
        RetryDelay d = RetryDelay.exponential(Duration.ofSeconds(1), 10.0, Duration.ofDays(365))
                .cappedAt(Duration.ofMillis(capMillis));

        assertThat(d.delayFor(retry)).isLessThanOrEqualTo(Duration.ofMillis(capMillis));
    }

    @Property
    void exponentialGrowsByItsMultiplierUntilTheCap(@ForAll @IntRange(min = 1, max = 10) int retry) {
        RetryDelay d = RetryDelay.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10));

        long expected = Math.min(100L << (retry - 1), 10_000L);
        assertThat(d.delayFor(retry)).isEqualTo(Duration.ofMillis(expected));
    }

    @net.jqwik.api.Example
    void invalidDeclarationsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> RetryDelay.exponential(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1)))
                .hasMessage("multiplier: must be a finite number >= 1, was 0.5");
        assertThatThrownBy(() -> RetryDelay.fixed(Duration.ofMillis(-1)))
                .hasMessage("delay: must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> RetryDelay.none().withJitter(1.5))
                .hasMessage("factor: must be within [0, 1], was 1.5");
        assertThatThrownBy(() -> RetryOnFail.upTo(-1)
                .withDelay(RetryDelay.none())).hasMessage("maxRetries: must be >= 0, was -1");
    }
}
