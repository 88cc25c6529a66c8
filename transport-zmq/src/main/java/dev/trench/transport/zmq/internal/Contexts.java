package dev.trench.transport.zmq.internal;

import org.zeromq.ZMQ;

/** Makes ZeroMQ contexts whose internal threads carry the channel's name, so that they can be told apart. */
public final class Contexts {
    private Contexts() {
    }

    /** A context with one I/O thread, its threads named {@code trench-zmq-<role>-<name>-<thread>}. */
    public static ZMQ.Context create(String role, String name) {
        ZMQ.Context ctx = ZMQ.context(1);
        String prefix = threadName(role, name) + "-";
        ctx.setThreadFactor((runnable, threadName) -> {
            Thread t = new Thread(runnable, prefix + threadName);
            t.setDaemon(true);
            return t;
        });
        return ctx;
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
