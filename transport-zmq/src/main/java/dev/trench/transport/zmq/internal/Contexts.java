package dev.trench.transport.zmq.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.zeromq.ZMQ;

/** Makes ZeroMQ contexts whose internal threads carry the channel's name, so that they can be told apart. */
public final class Contexts {
    /** The threads each context made; {@code term()} returns before they have all ended. */
    private static final Map<ZMQ.Context, List<Thread>> THREADS = Collections.synchronizedMap(new WeakHashMap<>());

    private Contexts() {
    }

    /** A context with one I/O thread, its threads named {@code trench-zmq-<role>-<name>-<thread>}. */
    public static ZMQ.Context create(String role, String name) {
        ZMQ.Context ctx = ZMQ.context(1);
        String prefix = threadName(role, name) + "-";
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        THREADS.put(ctx, threads);
        ctx.setThreadFactor((runnable, threadName) -> {
            Thread t = new Thread(runnable, prefix + threadName);
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        return ctx;
    }

    /**
     * Terminates the context and waits, at most {@code millis}, until every thread it made has ended: JeroMQ's
     * {@code term()} can return while its I/O thread is still finishing.
     *
     * @return whether every thread ended in time
     */
    public static boolean terminate(ZMQ.Context ctx, long millis) throws InterruptedException {
        ctx.term();
        List<Thread> threads = THREADS.remove(ctx);
        if (threads == null) {
            return true;
        }
        long deadline = System.nanoTime() + millis * 1_000_000L;
        List<Thread> copy;
        synchronized (threads) {
            copy = new ArrayList<>(threads);
        }
        for (Thread t : copy) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left > 0 && t != Thread.currentThread()) {
                t.join(left);
            }
        }
        return copy.stream().noneMatch(Thread::isAlive);
    }

    /** A socket option in milliseconds, capped at {@code Integer.MAX_VALUE}. */
    public static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /** The name of a Trench ZeroMQ thread. */
    public static String threadName(String role, String name) {
        return "trench-zmq-" + role + "-" + name;
    }
}
