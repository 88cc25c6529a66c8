package dev.trench.bus.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ScheduledExecutorService} that has no threads and runs on virtual time: scheduled tasks wait in a queue,
 * ordered by due time, until the test moves the {@link ManualClock} with {@link #advance(Duration)} (or runs what is
 * already due with {@link #runDueTasks()}). They then run on the calling thread, in order of due time (tasks due at
 * the same time in the order they were scheduled), including tasks scheduled by the tasks it runs when those fall
 * due within the same advance. Before each task runs the clock is set to its due time, so a task sees the time it was
 * scheduled for.
 *
 * <pre>{@code
 * ManualScheduler scheduler = new ManualScheduler();
 * ScheduledFuture<?> retry = scheduler.schedule(task, 200, TimeUnit.MILLISECONDS);
 * scheduler.advance(Duration.ofMillis(199));    // nothing runs
 * scheduler.advance(Duration.ofMillis(1));      // the task runs here, on this thread, at +200 ms
 * assertThat(retry).isDone();
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>{@link #execute(Runnable)} and the {@code submit} methods do not run the task at once: they queue it as due
 *       now, and it runs at the next {@link #runDueTasks()} or {@link #advance(Duration)}. This keeps the code under
 *       test from re-entering itself. An exception thrown by a task given to {@code execute} (which has no future to
 *       report it) propagates out of the call that runs it, so failures are never silently lost; other tasks report
 *       theirs through their future.</li>
 *   <li>{@link #invokeAll} and {@link #invokeAny} queue their tasks and run every due task before returning.</li>
 *   <li>Fixed-rate tasks are due again one period after their previous due time (advancing far runs every missed
 *       execution, in order); fixed-delay tasks one delay after the time they ran. A periodic task that throws is
 *       not run again, its future reports the exception.</li>
 *   <li>{@link ScheduledFuture#get()} of a task that has not run would wait for ever on the thread that should advance
 *       the scheduler, so it fails at once with an {@link IllegalStateException}; {@code get(timeout, unit)} waits in
 *       real time, for tests that advance the scheduler from another thread.</li>
 *   <li>{@link #shutdown()} refuses new tasks and drops periodic ones; one-shot tasks already queued still run when
 *       the clock is advanced (as {@link java.util.concurrent.ScheduledThreadPoolExecutor} does by default). The
 *       scheduler is terminated once they have run. {@link #shutdownNow()} returns the queued tasks without running
 *       them; {@link #close()} cancels them.</li>
 * </ul>
 *
 * <p>Thread-safe: any thread may schedule, and any one thread at a time may advance. A task must not advance the
 * scheduler that runs it.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    /** Runs in one call after which tasks are assumed to reschedule each other for ever. */
    static final int RUNAWAY_LIMIT = 100_000;

    private static final Comparator<Task<?>> ORDER =
            Comparator.<Task<?>, Instant>comparing(t -> t.dueAt).thenComparingLong(t -> t.sequence);

    private final ManualClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    private final ReentrantLock runLock = new ReentrantLock();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>(ORDER);
    private long nextSequence;
    private int running;
    private boolean shutdown;

    /** A scheduler with a clock of its own, starting at {@link ManualClock#DEFAULT_START}. */
    public ManualScheduler() {
        this(new ManualClock());
    }

    /** A scheduler on {@code clock}; share the clock with the code under test. */
    public ManualScheduler(ManualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this scheduler reads and moves. */
    public ManualClock clock() {
        return clock;
    }

    // scheduling

    /** Queues {@code command} as due now; see the class description. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        enqueue(new Task<>(Executors.callable(command, null), command, clock.instant(), 0, true));
    }

    /** Queues the task as due now and returns its future. */
    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /** Queues the task as due now and returns its future. */
    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return enqueue(new Task<>(Executors.callable(task, result), task, clock.instant(), 0, false));
    }

    /** Queues the task as due now and returns its future. */
    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        return enqueue(new Task<>(Executors.callable(command, null), command, dueIn(delay, unit), 0, false));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        return enqueue(new Task<>(callable, callable, dueIn(delay, unit), 0, false));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        long nanos = positive("period", period, unit);
        return enqueue(new Task<>(Executors.callable(command, null), command, dueIn(initialDelay, unit), nanos,
                false));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        long nanos = positive("delay", delay, unit);
        return enqueue(new Task<>(Executors.callable(command, null), command, dueIn(initialDelay, unit), -nanos,
                false));
    }

    /** Queues every task as due now, runs every due task on this thread, and returns their futures (all done). */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            futures.add(schedule(task, 0, TimeUnit.NANOSECONDS));
        }
        runDueTasks();
        return futures;
    }

    /** As {@link #invokeAll(Collection)}: the tasks run on this thread at once, the timeout is never reached. */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        return invokeAll(tasks);
    }

    /** Runs the tasks (and every other due task) on this thread and returns the first successful result. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws ExecutionException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("tasks: must not be empty");
        }
        ExecutionException last = null;
        for (Future<T> f : invokeAll(tasks)) {
            try {
                return f.get();
            } catch (ExecutionException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.CancellationException e) {
                last = new ExecutionException(e);
            }
        }
        throw last;
    }

    /** As {@link #invokeAny(Collection)}: the tasks run on this thread at once, the timeout is never reached. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws ExecutionException {
        return invokeAny(tasks);
    }

    // running

    /**
     * Runs every task due at the clock's current time, in order, on this thread, including tasks they schedule
     * that are due too. The clock does not move (unless a task moves it).
     *
     * @return how many tasks ran
     * @throws IllegalStateException when called from a task this scheduler is running, or when tasks keep
     *     rescheduling each other without the clock moving ({@value #RUNAWAY_LIMIT} runs)
     */
    public int runDueTasks() {
        return runUntil(clock.instant());
    }

    /**
     * Moves the clock forward by {@code amount}, running every task that falls due on the way at its due time, in
     * order, on this thread. Afterwards the clock reads the old time plus {@code amount} (or later, if a task moved
     * it further).
     *
     * @return how many tasks ran
     * @throws IllegalArgumentException when {@code amount} is negative
     */
    public int advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("amount: must not be negative, was " + amount);
        }
        Instant target = clock.instant().plus(amount);
        int ran = runUntil(target);
        clock.advanceTo(target);
        return ran;
    }

    /**
     * Moves the clock to the due time of the earliest queued task (if it is in the future) and runs every task due
     * then. For stepping through retries one at a time.
     *
     * @return how many tasks ran; 0 when nothing is queued
     */
    public int advanceToNextTask() {
        Instant next;
        lock.lock();
        try {
            Task<?> head = queue.peek();
            if (head == null) {
                return 0;
            }
            next = head.dueAt;
        } finally {
            lock.unlock();
        }
        Instant now = clock.instant();
        return runUntil(next.isAfter(now) ? next : now);
    }

    /** The tasks waiting to run, in the order they will run. */
    public List<PendingTask> pendingTasks() {
        List<Task<?>> sorted;
        lock.lock();
        try {
            sorted = new ArrayList<>(queue);
        } finally {
            lock.unlock();
        }
        sorted.sort(ORDER);
        Instant now = clock.instant();
        List<PendingTask> result = new ArrayList<>(sorted.size());
        for (Task<?> t : sorted) {
            result.add(new PendingTask(t.dueAt, Duration.between(now, t.dueAt), t.isPeriodic(),
                    String.valueOf(t.source)));
        }
        return List.copyOf(result);
    }

    /**
     * A task waiting in a {@link ManualScheduler}.
     *
     * @param dueAt       when it runs
     * @param delay       how long from the clock's time when the list was made (negative when overdue)
     * @param periodic    whether it runs repeatedly
     * @param description the {@code toString()} of the runnable or callable scheduled
     */
    public record PendingTask(Instant dueAt, Duration delay, boolean periodic, String description) {
    }

    private int runUntil(Instant target) {
        if (runLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("A task run by this ManualScheduler tried to advance it; only the test"
                    + " (or another thread) may advance the scheduler");
        }
        runLock.lock();
        try {
            int ran = 0;
            while (true) {
                Task<?> task;
                lock.lock();
                try {
                    Instant now = clock.instant();
                    Instant limit = now.isAfter(target) ? now : target;
                    task = queue.peek();
                    if (task == null || task.dueAt.isAfter(limit)) {
                        return ran;
                    }
                    if (ran == RUNAWAY_LIMIT) {
                        throw new IllegalStateException(RUNAWAY_LIMIT + " tasks ran in one call without the"
                                + " scheduler getting past " + limit + "; do tasks keep rescheduling each other with"
                                + " no delay? Next: " + task.source);
                    }
                    queue.poll();
                    task.taken = true;
                    running++;
                } finally {
                    lock.unlock();
                }
                clock.advanceTo(task.dueAt);
                ran++;
                try {
                    task.run();
                } finally {
                    finished(task);
                }
                Throwable failure = task.uncaught;
                if (failure != null) {
                    if (failure instanceof RuntimeException r) {
                        throw r;
                    }
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    throw new IllegalStateException("task " + task.source + " failed", failure);
                }
            }
        } finally {
            runLock.unlock();
        }
    }

    private void finished(Task<?> task) {
        lock.lock();
        try {
            running--;
            task.taken = false;
            if (task.isPeriodic() && !task.isDone() && !shutdown) {
                task.dueAt = task.period > 0 ? task.dueAt.plusNanos(task.period)
                        : clock.instant().plusNanos(-task.period);
                task.sequence = nextSequence++;
                queue.add(task);
            }
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
    }

    // lifecycle

    /** Refuses new tasks and drops periodic ones; queued one-shot tasks still run when the clock is advanced. */
    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            for (Iterator<Task<?>> it = queue.iterator(); it.hasNext(); ) {
                Task<?> t = it.next();
                if (t.isPeriodic()) {
                    it.remove();
                    t.cancelQuietly();
                }
            }
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new tasks and removes every queued task without running it; returns them in run order. */
    @Override
    public List<Runnable> shutdownNow() {
        lock.lock();
        try {
            shutdown = true;
            List<Task<?>> drained = new ArrayList<>(queue);
            queue.clear();
            drained.sort(ORDER);
            signalIfTerminated();
            return new ArrayList<>(drained);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shuts down and cancels every queued task without running it: there is no thread whose work could be waited
     * for, and waiting for virtual time that nobody advances would never end. On JDK 19 and later this is
     * {@code ExecutorService.close()}, so a try-with-resources block ends at once instead of waiting.
     */
    public void close() {
        for (Runnable task : shutdownNow()) {
            ((Task<?>) task).cancelQuietly();
        }
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutdown;
        } finally {
            lock.unlock();
        }
    }

    /** Shut down, with nothing queued and nothing running. */
    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return isTerminatedLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Waits in real time (for another thread to advance the scheduler) until it is terminated. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!isTerminatedLocked()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ManualScheduler{" + clock.instant() + ", " + pendingTasks().size() + " pending"
                + (isShutdown() ? ", shut down" : "") + "}";
    }

    private boolean isTerminatedLocked() {
        return shutdown && queue.isEmpty() && running == 0;
    }

    private void signalIfTerminated() {
        if (isTerminatedLocked()) {
            terminated.signalAll();
        }
    }

    private <T> Task<T> enqueue(Task<T> task) {
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("ManualScheduler is shut down; rejected " + task.source);
            }
            task.sequence = nextSequence++;
            queue.add(task);
            return task;
        } finally {
            lock.unlock();
        }
    }

    private boolean remove(Task<?> task) {
        lock.lock();
        try {
            boolean removed = queue.remove(task);
            signalIfTerminated();
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private Instant dueIn(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return clock.instant().plusNanos(Math.max(0, unit.toNanos(delay)));
    }

    private static long positive(String name, long value, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, was " + value + " " + unit);
        }
        return unit.toNanos(value);
    }

    /** A queued task and its future. Mutable fields are guarded by the scheduler's lock. */
    private final class Task<V> extends FutureTask<V> implements java.util.concurrent.RunnableScheduledFuture<V> {
        final Object source;
        /** > 0: fixed rate; < 0: fixed delay; 0: once. In nanoseconds. */
        final long period;
        final boolean propagate;
        volatile Instant dueAt;
        long sequence;
        volatile boolean taken;
        volatile Throwable uncaught;

        Task(Callable<V> callable, Object source, Instant dueAt, long period, boolean propagate) {
            super(callable);
            this.source = source;
            this.dueAt = dueAt;
            this.period = period;
            this.propagate = propagate;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public void run() {
            if (isPeriodic()) {
                runAndReset();
            } else {
                super.run();
            }
        }

        @Override
        protected void setException(Throwable t) {
            super.setException(t);
            if (propagate) {
                uncaught = t;
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                remove(this);
            }
            return cancelled;
        }

        void cancelQuietly() {
            super.cancel(false);
        }

        /** Fails at once instead of waiting for ever for a scheduler that nobody advances; see the class doc. */
        @Override
        public V get() throws InterruptedException, ExecutionException {
            if (!isDone() && !taken) {
                throw new IllegalStateException("Task " + source + " is due at " + dueAt + " and has not run; get()"
                        + " would wait for ever. Advance the ManualScheduler first (advance, runDueTasks), or use"
                        + " get(timeout, unit) while another thread advances it");
            }
            return super.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return super.get(timeout, unit);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            Duration d = Duration.between(clock.instant(), dueAt);
            long nanos;
            try {
                nanos = d.toNanos();
            } catch (ArithmeticException e) {
                nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            return unit.convert(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other == this) {
                return 0;
            }
            if (other instanceof ManualScheduler.Task<?> t) {
                return ORDER.compare(this, t);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public String toString() {
            return "ManualScheduler.Task{" + source + " due " + dueAt + (isPeriodic() ? ", periodic" : "")
                    + (isDone() ? ", done" : "") + "}";
        }
    }
}
