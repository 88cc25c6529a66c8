package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class ConcurrentDispatchTest {

    record Add(int threadNo, int n) implements Command<Integer> {
    }

    @Test
    void manyThreadsDispatchAtOnceAndEveryCommandGetsItsOwnResultIdAndContext() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        LongAdder handled = new LongAdder();
        Set<MessageId> ids = ConcurrentHashMap.newKeySet();
        CommandSpec<Add> spec = CommandSpec.of(Add.class, "test.add")
                .handler((Add c, HandlerContext<Integer> ctx) -> {
                    ids.add(ctx.envelope().commandId());
                    ctx.record(c);
                    ctx.result(c.n());
                })
                .handler((Add c, HandlerContext<Integer> ctx) -> {
                    handled.increment();
                    ctx.result(ctx.currentResult() * 2 + ctx.recordedEvents().size() - 1);
                })
                .build();
        Middleware passThrough = chain -> chain.proceed(chain.envelope())
                .thenApply(o -> {
                    if (o.events().size() != 1 || o.events().get(0) != chain.envelope().command()) {
                        throw new AssertionError("outcome of another dispatch: " + o.events());
                    }
                    return o;
                });
        CommandBus bus = CommandBus.builder().register(spec).append(passThrough).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int threadNo = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> wrong = new ArrayList<>();
                    List<CompletableFuture<Integer>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(bus.dispatch(new Add(threadNo, i)).toCompletableFuture());
                    }
                    for (int i = 0; i < perThread; i++) {
                        int r = futures.get(i).get(10, TimeUnit.SECONDS);
                        if (r != i * 2) {
                            wrong.add(threadNo + "/" + i + " -> " + r);
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<List<String>> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(handled.sum()).isEqualTo((long) threads * perThread);
        assertThat(ids).hasSize(threads * perThread);
    }
}
