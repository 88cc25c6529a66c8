package dev.trench.transport.http.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A count of work in progress that a drain can wait on until it reaches zero. */
public final class InFlight {
    private final AtomicInteger count = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition zero = lock.newCondition();

    /** One more unit of work; returns the new count. */
    public int increment() {
        return count.incrementAndGet();
    }

    /** One unit finished; wakes the waiters when none is left. */
    public void decrement() {
        if (count.decrementAndGet() <= 0) {
            lock.lock();
            try {
                zero.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The current count. */
    public int get() {
        return count.get();
    }

    /**
     * Waits until the count is zero or the deadline ({@link System#nanoTime()} based) passes.
     *
     * @return whether the count reached zero; {@code false} on timeout or interruption (the flag is set again)
     */
    public boolean awaitZero(long deadlineNanos) {
        lock.lock();
        try {
            while (count.get() > 0) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                zero.await(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}
