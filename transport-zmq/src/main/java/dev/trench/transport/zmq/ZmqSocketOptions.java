package dev.trench.transport.zmq;

import java.time.Duration;
import java.util.Objects;

/**
 * The ZeroMQ options Trench sets explicitly on every socket it makes (JeroMQ's own defaults differ between ways of
 * making a socket, so none is left implicit).
 *
 * @param highWaterMark     messages a socket queues per peer before it refuses more (SNDHWM on sending sockets,
 *                          RCVHWM on receiving ones); 0 means no limit
 * @param linger            how long closing a socket waits for queued messages to leave (LINGER); zero drops them
 * @param reconnectInterval how long a connecting socket waits before trying a lost or refused peer again
 *                          (RECONNECT_IVL)
 */
public record ZmqSocketOptions(int highWaterMark, Duration linger, Duration reconnectInterval) {

    /** Validates every value, naming the field and the value. */
    public ZmqSocketOptions {
        if (highWaterMark < 0) {
            throw new IllegalArgumentException("highWaterMark: must be >= 0 (0 = no limit), was " + highWaterMark);
        }
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger: must be >= 0, was " + linger);
        }
        Objects.requireNonNull(reconnectInterval, "reconnectInterval");
        if (reconnectInterval.isNegative() || reconnectInterval.isZero()) {
            throw new IllegalArgumentException("reconnectInterval: must be > 0, was " + reconnectInterval);
        }
    }

    /** High-water mark 1,000 messages, linger 0, reconnect every 100 ms. */
    public static ZmqSocketOptions defaults() {
        return new ZmqSocketOptions(1000, Duration.ZERO, Duration.ofMillis(100));
    }

    /** A copy with another high-water mark. */
    public ZmqSocketOptions withHighWaterMark(int value) {
        return new ZmqSocketOptions(value, linger, reconnectInterval);
    }

    /** A copy with another linger. */
    public ZmqSocketOptions withLinger(Duration value) {
        return new ZmqSocketOptions(highWaterMark, value, reconnectInterval);
    }

    /** A copy with another reconnect interval. */
    public ZmqSocketOptions withReconnectInterval(Duration value) {
        return new ZmqSocketOptions(highWaterMark, linger, value);
    }
}
