package dev.trench.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.MessageId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The dedupe window: one admission per id, nothing remembered for a refusal, bounded memory. */
class DedupeWindowTest {
    private final Supplier<MessageId> ids = MessageId.generator(Clock.systemUTC());

    @Test
    void aRefusedAdmissionIsNotRemembered() {
        DedupeWindow window = new DedupeWindow(Duration.ofMinutes(1), 100, Clock.systemUTC());
        MessageId id = ids.get();

        assertThat(window.admit(id, () -> false)).isEqualTo(DedupeWindow.Result.REFUSED);
        assertThat(window.contains(id)).isFalse();
        assertThat(window.admit(id, () -> true)).isEqualTo(DedupeWindow.Result.ADMITTED);
        assertThat(window.admit(id, () -> {
            throw new AssertionError("a duplicate must not be admitted again");
        })).isEqualTo(DedupeWindow.Result.DUPLICATE);
    }

    @Test
    void memoryStaysBoundedByForgettingTheOldestEarly() {
        DedupeWindow window = new DedupeWindow(Duration.ofHours(1), 100, Clock.systemUTC());
        List<MessageId> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            MessageId id = ids.get();
            all.add(id);
            window.admit(id, () -> true);
        }

        assertThat(window.size()).isEqualTo(100);
        assertThat(window.evictedEarly()).isEqualTo(900);
        assertThat(window.contains(all.get(999))).isTrue();
        assertThat(window.contains(all.get(0))).isFalse();
    }

    @Test
    void concurrentRequestsWithTheSameIdAdmitItOnce() throws Exception {
        DedupeWindow window = new DedupeWindow(Duration.ofMinutes(1), 10_000, Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger admissions = new AtomicInteger();
        try {
            for (int round = 0; round < 200; round++) {
                MessageId id = ids.get();
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<DedupeWindow.Result>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    results.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return window.admit(id, () -> {
                            admissions.incrementAndGet();
                            return true;
                        });
                    }, pool));
                }
                start.countDown();
                long admitted = results.stream().map(CompletableFuture::join)
                        .filter(r -> r == DedupeWindow.Result.ADMITTED).count();
                assertThat(admitted).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(admissions).hasValue(200);
    }
}
