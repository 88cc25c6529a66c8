package dev.trench.examples.auction.ws.internal;

import dev.trench.examples.auction.ws.internal.NodeMeters.FrameType;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One frame waiting to be written to a session: its JSON (the same array for every session it goes to), the kind of
 * event it carries (for the meters; {@code null} for control frames such as {@code Error}), and when the event was
 * created (for the fan-out lag; {@code null} for frames that are not events, such as snapshots).
 */
record Outbound(byte[] json, @Nullable FrameType type, @Nullable Instant createdAt) {
    /** Websocket frame header plus Netty's per-message overhead, counted against a session's pending bytes. */
    static final int OVERHEAD = 16;

    static Outbound event(byte[] json, FrameType type, Instant createdAt) {
        return new Outbound(json, type, createdAt);
    }

    /** An event sent again to a late subscriber: counted as fanned out, but not in the lag (it is not fresh). */
    static Outbound replay(byte[] json, FrameType type) {
        return new Outbound(json, type, null);
    }

    static Outbound snapshot(byte[] json) {
        return new Outbound(json, FrameType.SNAPSHOT, null);
    }

    static Outbound control(byte[] json) {
        return new Outbound(json, null, null);
    }

    int size() {
        return json.length + OVERHEAD;
    }
}
