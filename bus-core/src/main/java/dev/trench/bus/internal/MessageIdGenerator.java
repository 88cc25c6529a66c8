package dev.trench.bus.internal;

import dev.trench.bus.MessageId;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes version 7 UUIDs without a shared lock or a shared random source: each thread keeps its own last millisecond
 * and a 12-bit counter (RFC 9562, method 1), the low 62 bits come from {@link ThreadLocalRandom}. Within a thread ids
 * are strictly increasing, even when the clock stands still or steps back; across threads they are ordered by
 * millisecond and kept apart by 62 random bits.
 */
public final class MessageIdGenerator {
    /** Per generator, so that generators with different clocks (tests) do not affect each other. */
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    private final Clock clock;

    public MessageIdGenerator(Clock clock) {
        this.clock = clock;
    }

    public MessageId next() {
        long now = clock.millis() & 0xFFFF_FFFF_FFFFL;
        State s = state.get();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis;
        int counter;
        if (now > s.lastMillis) {
            millis = now;
            counter = random.nextInt(0x400); // leave room for 3,000+ ids in the same millisecond
        } else {
            millis = s.lastMillis;
            counter = s.counter + 1;
            if (counter > 0xFFF) {
                millis++;
                counter = 0;
            }
        }
        s.lastMillis = millis;
        s.counter = counter;
        long msb = (millis << 16) | 0x7000L | counter;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new MessageId(msb, lsb);
    }

    private static final class State {
        long lastMillis = -1;
        int counter;
    }
}
