package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MessageIdTest {

    @Test
    void idsAreVersion7UuidsCarryingTheirMillisecond() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:34:56.789Z"), ZoneOffset.UTC);
        MessageId id = MessageId.generator(clock).get();

        UUID uuid = id.toUuid();
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(id.timestamp()).isEqualTo(Instant.parse("2026-11-23T12:34:56.789Z"));
        assertThat(MessageId.parse(id.toString())).isEqualTo(id);
        assertThat(id.toString()).isEqualTo(uuid.toString()).isSameAs(id.toString());
        MessageId edges = new MessageId(0xFFFF_FFFF_FFFF_FFFFL, 0x0123_4567_89AB_CDEFL);
        assertThat(edges.toString()).isEqualTo(edges.toUuid().toString());
        assertThat(MessageId.parse(id.toHex())).isEqualTo(id);
    }

    @Test
    void idsFromOneThreadIncreaseStrictlyEvenWhenTheClockStandsStill() {
        Supplier<MessageId> ids = MessageId.generator(Clock.fixed(Instant.EPOCH.plusSeconds(1), ZoneOffset.UTC));
        MessageId previous = ids.get();
        for (int i = 0; i < 20_000; i++) {
            MessageId next = ids.get();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Test
    void idsFromManyThreadsAreUniqueAndOrderedByMillisecond() throws Exception {
        Supplier<MessageId> ids = MessageId.generator(Clock.systemUTC());
        Set<MessageId> all = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        all.add(ids.get());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(all).hasSize(200_000);
        MessageId before = ids.get();
        MessageId later = MessageId.generator(Clock.offset(Clock.systemUTC(), java.time.Duration.ofMillis(5))).get();
        assertThat(later).isGreaterThan(before);
    }

    @Test
    void parsingRejectsGarbageWithAClearMessage() {
        assertThatThrownBy(() -> MessageId.parse("not-an-id"))
                .hasMessage("message id: not a UUID or 32 hex digits: 'not-an-id'");
        assertThatThrownBy(() -> MessageId.parse("zz000000000000000000000000000000"))
                .hasMessageStartingWith("message id: not a UUID");
    }
}
