package dev.trench.bus.middleware.internal;

import dev.trench.bus.RetryDelay;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a {@link RetryDelay} into a wait in milliseconds that is never negative and never above a cap. */
public final class RetryDelays {
    private static final Logger LOG = LoggerFactory.getLogger(RetryDelays.class);

    private RetryDelays() {
    }

    /**
     * The delay before retry number {@code retry}, in milliseconds, within {@code [0, capMillis]}. A delay function
     * that returns {@code null} or a negative duration gives 0; one that throws is logged and gives the cap (waiting
     * the longest allowed is the safe reading of a broken backoff). Never overflows: the comparison is made on
     * {@link Duration}s before any conversion.
     *
     * @param retry     1 for the first retry
     * @param capMillis the longest wait, at least 0
     */
    public static long clampedMillis(RetryDelay delay, int retry, long capMillis) {
        Duration d;
        try {
            d = delay.delayFor(retry);
        } catch (RuntimeException e) {
            LOG.warn("Retry delay function {} threw for retry {}; waiting the cap of {} ms instead", delay, retry,
                    capMillis, e);
            return capMillis;
        }
        if (d == null || d.isNegative()) {
            return 0;
        }
        if (d.compareTo(Duration.ofMillis(capMillis)) >= 0) {
            return capMillis;
        }
        return d.toMillis();
    }
}
