package dev.trench.bus.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ManualClock clock = scheduler.clock();
    private final Instant t0 = clock.instant();
    /** "name@millis since t0", in the order tasks ran. */
    private final List<String> ran = new CopyOnWriteArrayList<>();

    private Runnable task(String name) {
        return new Runnable() {
            @Override
            public void run() {
                ran.add(name + "@" + Duration.between(t0, clock.instant()).toMillis());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Test
    void aScheduledTaskRunsOnlyWhenTheClockReachesItsDueTime() {
        ScheduledFuture<?> future = scheduler.schedule(task("retry"), 200, MILLISECONDS);

        assertThat(scheduler.advance(Duration.ofMillis(199))).isZero();
        assertThat(ran).isEmpty();
        assertThat(future.isDone()).isFalse();
        assertThat(future.getDelay(MILLISECONDS)).isEqualTo(1);

        assertThat(scheduler.advance(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(ran).containsExactly("retry@200");
        assertThat(future.isDone()).isTrue();
        assertThat(future.getDelay(MILLISECONDS)).isZero();
        assertThat(clock.instant()).isEqualTo(t0.plusMillis(200));
    }

    @Test
    void tasksRunInDueOrderAtTheirDueTimeAndTiesInSchedulingOrder() {
        scheduler.schedule(task("c"), 300, MILLISECONDS);
        scheduler.schedule(task("a"), 100, MILLISECONDS);
        scheduler.schedule(task("b1"), 200, MILLISECONDS);
        scheduler.schedule(task("b2"), 200_000, TimeUnit.MICROSECONDS);

        assertThat(scheduler.advance(Duration.ofSeconds(1))).isEqualTo(4);

        assertThat(ran).containsExactly("a@100", "b1@200", "b2@200", "c@300");
        assertThat(clock.instant()).isEqualTo(t0.plusSeconds(1));
    }

    @Test
    void tasksScheduledByRunningTasksRunInTheSameAdvanceWhenTheyFallDue() {
        scheduler.schedule(() -> {
            task("first").run();
            scheduler.schedule(task("soon"), 50, MILLISECONDS);
            scheduler.schedule(task("later"), 500, MILLISECONDS);
            scheduler.execute(task("now"));
        }, 100, MILLISECONDS);

        assertThat(scheduler.advance(Duration.ofMillis(200))).isEqualTo(3);

        assertThat(ran).containsExactly("first@100", "now@100", "soon@150");
        assertThat(scheduler.pendingTasks()).singleElement()
                .satisfies(p -> assertThat(p.description()).isEqualTo("later"))
                .satisfies(p -> assertThat(p.dueAt()).isEqualTo(t0.plusMillis(600)))
                .satisfies(p -> assertThat(p.delay()).isEqualTo(Duration.ofMillis(400)));
    }

    @Test
    void executeQueuesTheTaskAsDueNowUntilDueTasksAreRun() {
        scheduler.execute(task("queued"));
        scheduler.submit(task("submitted"));

        assertThat(ran).isEmpty();
        assertThat(scheduler.pendingTasks()).extracting(ManualScheduler.PendingTask::delay)
                .containsExactly(Duration.ZERO, Duration.ZERO);

        assertThat(scheduler.runDueTasks()).isEqualTo(2);
        assertThat(ran).containsExactly("queued@0", "submitted@0");
        assertThat(clock.instant()).isEqualTo(t0);
    }

    @Test
    void anExceptionFromAnExecutedTaskPropagatesAndTheRestStaysQueued() {
        IllegalStateException boom = new IllegalStateException("boom");
        scheduler.execute(() -> {
            throw boom;
        });
        scheduler.execute(task("after"));

        assertThatThrownBy(scheduler::runDueTasks).isSameAs(boom);
        assertThat(ran).isEmpty();

        assertThat(scheduler.runDueTasks()).isEqualTo(1);
        assertThat(ran).containsExactly("after@0");
    }

    @Test
    void anExceptionFromAScheduledTaskGoesToItsFuture() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        ScheduledFuture<String> failing = scheduler.schedule(() -> {
            throw boom;
        }, 10, MILLISECONDS);
        ScheduledFuture<String> value = scheduler.schedule(() -> "value", 20, MILLISECONDS);

        assertThat(scheduler.advance(Duration.ofMillis(20))).isEqualTo(2);

        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
        assertThat(value.get()).isEqualTo("value");
    }

    @Test
    void getOfATaskThatHasNotRunFailsAtOnceInsteadOfWaitingForEver() {
        ScheduledFuture<String> future = scheduler.schedule(() -> "x", 1, SECONDS);

        assertThatThrownBy(future::get)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not run; get() would wait for ever. Advance the ManualScheduler first");
        assertThatThrownBy(() -> future.get(0, MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void getWithATimeoutWaitsForAnotherThreadToAdvance() throws Exception {
        ScheduledFuture<String> future = scheduler.schedule(() -> "from the other thread", 1, SECONDS);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> advancing = other.submit(() -> scheduler.advance(Duration.ofSeconds(1)));

            assertThat(future.get(30, SECONDS)).isEqualTo("from the other thread");
            assertThat(advancing.get(30, SECONDS)).isEqualTo(1);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aCancelledTaskNeverRunsAndLeavesTheQueue() {
        ScheduledFuture<?> cancelled = scheduler.schedule(task("cancelled"), 100, MILLISECONDS);
        scheduler.schedule(task("kept"), 100, MILLISECONDS);

        assertThat(cancelled.cancel(false)).isTrue();

        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(cancelled.isDone()).isTrue();
        assertThat(scheduler.pendingTasks()).extracting(ManualScheduler.PendingTask::description)
                .containsExactly("kept");
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("kept@100");
        assertThatThrownBy(cancelled::get).isInstanceOf(CancellationException.class);
        assertThat(cancelled.cancel(false)).isFalse();
    }

    @Test
    void aFixedRateTaskRunsEveryPeriodAndCatchesUpInOrder() {
        ScheduledFuture<?> ticking = scheduler.scheduleAtFixedRate(task("tick"), 10, 100, MILLISECONDS);
        scheduler.schedule(task("other"), 150, MILLISECONDS);

        assertThat(scheduler.advance(Duration.ofMillis(350))).isEqualTo(5);

        assertThat(ran).containsExactly("tick@10", "tick@110", "other@150", "tick@210", "tick@310");
        assertThat(ticking.isDone()).isFalse();
        assertThat(ticking.getDelay(MILLISECONDS)).isEqualTo(60);
        assertThat(scheduler.pendingTasks()).singleElement()
                .satisfies(p -> assertThat(p.periodic()).isTrue());
        ticking.cancel(false);
        assertThat(scheduler.advance(Duration.ofSeconds(1))).isZero();
    }

    @Test
    void aFixedDelayTaskIsDueOneDelayAfterItRan() {
        scheduler.scheduleWithFixedDelay(() -> {
            task("work").run();
            clock.advance(Duration.ofMillis(30)); // the work takes 30 ms of (virtual) time
        }, 0, 100, MILLISECONDS);

        assertThat(scheduler.advance(Duration.ofMillis(300))).isEqualTo(3);

        assertThat(ran).containsExactly("work@0", "work@130", "work@260");
        assertThat(clock.instant()).isEqualTo(t0.plusMillis(300));
        assertThat(scheduler.pendingTasks()).singleElement()
                .satisfies(p -> assertThat(p.dueAt()).isEqualTo(t0.plusMillis(390)));
    }

    @Test
    void aPeriodicTaskThatThrowsIsNotRunAgainAndItsFutureReportsWhy() {
        IllegalStateException boom = new IllegalStateException("boom");
        int[] runs = {0};
        ScheduledFuture<?> future = scheduler.scheduleAtFixedRate(() -> {
            if (++runs[0] == 2) {
                throw boom;
            }
        }, 0, 10, MILLISECONDS);

        scheduler.advance(Duration.ofMillis(100));

        assertThat(runs[0]).isEqualTo(2);
        assertThat(scheduler.pendingTasks()).isEmpty();
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
    }

    @Test
    void advanceToNextTaskStepsOneDueTimeAtATime() {
        scheduler.schedule(task("a"), 100, MILLISECONDS);
        scheduler.schedule(task("b"), 250, MILLISECONDS);
        scheduler.schedule(task("c"), 250, MILLISECONDS);

        assertThat(scheduler.advanceToNextTask()).isEqualTo(1);
        assertThat(clock.instant()).isEqualTo(t0.plusMillis(100));
        assertThat(scheduler.advanceToNextTask()).isEqualTo(2);
        assertThat(clock.instant()).isEqualTo(t0.plusMillis(250));
        assertThat(scheduler.advanceToNextTask()).isZero();
        assertThat(ran).containsExactly("a@100", "b@250", "c@250");
    }

    @Test
    void aNegativeDelayIsDueNowAndANonPositivePeriodIsRefused() {
        scheduler.schedule(task("late"), -5, SECONDS);
        assertThat(scheduler.runDueTasks()).isEqualTo(1);
        assertThat(ran).containsExactly("late@0");

        assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(task("x"), 0, 0, MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("period: must be positive, was 0 MILLISECONDS");
        assertThatThrownBy(() -> scheduler.scheduleWithFixedDelay(task("x"), 0, -1, MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay: must be positive, was -1 MILLISECONDS");
        assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scheduledFuturesCompareByDueTime() {
        ScheduledFuture<?> late = scheduler.schedule(task("late"), 2, SECONDS);
        ScheduledFuture<?> early = scheduler.schedule(task("early"), 1, SECONDS);
        ScheduledFuture<?> alsoEarly = scheduler.schedule(task("also early"), 1, SECONDS);

        List<ScheduledFuture<?>> sorted = new ArrayList<>(List.of(late, alsoEarly, early));
        sorted.sort(null);

        assertThat(sorted).containsExactly(early, alsoEarly, late);
        assertThat(early.compareTo(early)).isZero();
        assertThat(late.getDelay(MILLISECONDS)).isEqualTo(2000);
    }

    @Test
    void shutdownRefusesNewTasksDropsPeriodicOnesAndStillRunsQueuedOneShots() throws Exception {
        ScheduledFuture<?> periodic = scheduler.scheduleAtFixedRate(task("tick"), 10, 10, MILLISECONDS);
        scheduler.schedule(task("pending"), 100, MILLISECONDS);

        scheduler.shutdown();

        assertThat(scheduler.isShutdown()).isTrue();
        assertThat(periodic.isCancelled()).isTrue();
        assertThat(scheduler.isTerminated()).isFalse();
        assertThat(scheduler.awaitTermination(0, MILLISECONDS)).isFalse();
        assertThatThrownBy(() -> scheduler.execute(task("new")))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("ManualScheduler is shut down; rejected new");

        scheduler.advance(Duration.ofSeconds(1));

        assertThat(ran).containsExactly("pending@100");
        assertThat(scheduler.isTerminated()).isTrue();
        assertThat(scheduler.awaitTermination(0, MILLISECONDS)).isTrue();
    }

    @Test
    void shutdownNowReturnsTheQueuedTasksWithoutRunningThem() {
        scheduler.schedule(task("b"), 20, MILLISECONDS);
        scheduler.schedule(task("a"), 10, MILLISECONDS);

        List<Runnable> notRun = scheduler.shutdownNow();

        assertThat(notRun).hasSize(2);
        assertThat(scheduler.isTerminated()).isTrue();
        assertThat(scheduler.advance(Duration.ofSeconds(1))).isZero();
        notRun.forEach(Runnable::run);
        assertThat(ran).containsExactly("a@1000", "b@1000");
    }

    @Test
    void closeCancelsTheQueuedTasksAndNeverWaits() {
        ScheduledFuture<?> pending = scheduler.schedule(task("pending"), 1, SECONDS);

        scheduler.close();

        assertThat(pending.isCancelled()).isTrue();
        assertThat(scheduler.isTerminated()).isTrue();
        assertThat(scheduler.pendingTasks()).isEmpty();
        assertThat(scheduler.advance(Duration.ofSeconds(2))).isZero();
        assertThat(ran).isEmpty();
    }

    @Test
    void awaitTerminationReturnsWhenAnotherThreadRunsTheLastTask() throws Exception {
        scheduler.schedule(task("last"), 1, SECONDS);
        scheduler.shutdown();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(() -> scheduler.advance(Duration.ofSeconds(1)));

            assertThat(scheduler.awaitTermination(30, SECONDS)).isTrue();
            assertThat(ran).containsExactly("last@1000");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void invokeAllAndInvokeAnyRunTheTasksOnTheCallingThread() throws Exception {
        Thread caller = Thread.currentThread();
        Callable<String> a = () -> Thread.currentThread() == caller ? "a" : "elsewhere";
        Callable<String> failing = () -> {
            throw new IllegalStateException("no");
        };

        List<Future<String>> all = scheduler.invokeAll(List.of(a, failing));

        assertThat(all.get(0).get()).isEqualTo("a");
        assertThatThrownBy(() -> all.get(1).get()).isInstanceOf(ExecutionException.class);
        assertThat(scheduler.invokeAny(List.of(failing, a))).isEqualTo("a");
        assertThatThrownBy(() -> scheduler.invokeAny(List.of(failing)))
                .isInstanceOf(ExecutionException.class).cause().hasMessage("no");
        Future<String> submitted = scheduler.submit(a);
        assertThat(submitted.isDone()).isFalse();
        scheduler.runDueTasks();
        assertThat(submitted.get()).isEqualTo("a");
    }

    @Test
    void aTaskMayNotAdvanceTheSchedulerThatRunsIt() {
        ScheduledFuture<Integer> nested = scheduler.schedule(() -> scheduler.advance(Duration.ofSeconds(1)), 10,
                MILLISECONDS);

        scheduler.advance(Duration.ofMillis(10));

        assertThatThrownBy(nested::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("A task run by this ManualScheduler tried to advance it");
    }

    @Test
    void tasksThatRescheduleEachOtherWithoutDelayForEverAreStopped() {
        Runnable[] again = new Runnable[1];
        again[0] = () -> scheduler.execute(again[0]);
        scheduler.execute(again[0]);

        assertThatThrownBy(scheduler::runDueTasks)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ManualScheduler.RUNAWAY_LIMIT + " tasks ran in one call");
    }

    @Test
    void tasksScheduledFromManyThreadsAllRunInDueOrder() throws Exception {
        int threads = 8;
        int perThread = 500;
        List<Long> dueMillis = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long delay = ThreadLocalRandom.current().nextLong(1, 10_000);
                        scheduler.schedule(() -> dueMillis.add(Duration.between(t0, clock.instant()).toMillis()),
                                delay, MILLISECONDS);
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

        assertThat(scheduler.advance(Duration.ofSeconds(10))).isEqualTo(threads * perThread);

        assertThat(dueMillis).hasSize(threads * perThread).isSorted();
        assertThat(scheduler.pendingTasks()).isEmpty();
    }
}
