package dev.trench.transport.zmq.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The last sequence number seen from each publisher, to detect gaps. Publishers get a new id when they restart, so the
 * map keeps the most recently heard {@code capacity} publishers only. Used from the receive thread only.
 */
public final class Streams {
    /** What {@link #observe(UUID, long, boolean)} found. */
    public static final long STALE = -1;

    private final Map<UUID, Long> last;

    /** Tracks up to {@code capacity} publishers. */
    public Streams(int capacity) {
        this.last = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Records {@code seq} from {@code publisher}.
     *
     * @param heartbeat {@code seq} is the publisher's last sent event, not a new one
     * @return how many events were missed before this one (0 when none, or when the publisher is new to us), or
     *     {@link #STALE} for an event at or below the last one seen (a duplicate or reordering)
     */
    public long observe(UUID publisher, long seq, boolean heartbeat) {
        Long previous = last.get(publisher);
        if (previous == null) {
            last.put(publisher, seq);
            return 0;
        }
        long p = previous;
        if (heartbeat) {
            if (seq > p) {
                last.put(publisher, seq);
                return seq - p;
            }
            return 0;
        }
        if (seq <= p) {
            return STALE;
        }
        last.put(publisher, seq);
        return seq - p - 1;
    }

    /** Publishers currently tracked. */
    public int size() {
        return last.size();
    }
}
