package dev.trench.transport.http.internal;

import io.netty.channel.pool.ChannelPool;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a worker service as a sender sees it: its address, its pool of keep-alive connections, the sends in
 * flight to it, and whether it is being skipped after a refused connection.
 */
public final class RemoteEndpoint {
    final String id;
    final InetSocketAddress address;
    final long hash;
    final ChannelPool pool;
    final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean down;
    private volatile long downUntilNanos;

    RemoteEndpoint(String id, InetSocketAddress address, ChannelPool pool) {
        this.id = id;
        this.address = address;
        this.hash = Rendezvous.hash(id);
        this.pool = pool;
    }

    /** {@code host:port}: what {@link dev.trench.bus.Accepted#endpoint()} reports. */
    public String id() {
        return id;
    }

    /** Whether it may be chosen now: never refused, or its cooldown is over. */
    boolean isUp(long nowNanos) {
        return !down || nowNanos - downUntilNanos >= 0;
    }

    /** Skip it until {@code untilNanos}; returns whether it was up before. */
    boolean markDown(long untilNanos) {
        boolean wasUp = !down;
        downUntilNanos = untilNanos;
        down = true;
        return wasUp;
    }

    /** It answered: choose it again. */
    void markUp() {
        if (down) {
            down = false;
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
