package dev.trench.transport.zmq.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The frame layout of Trench messages over ZeroMQ.
 *
 * <ul>
 * <li>Command: 2 frames: the logical type name (UTF-8), then the JSON command envelope.</li>
 * <li>Event: 3 frames: the logical type name, then the stream frame, then the JSON event envelope.</li>
 * <li>Heartbeat: 3 frames: an empty type, the stream frame, an empty body.</li>
 * </ul>
 * The stream frame is 25 bytes: version {@code 1}, the publisher's id (16 bytes, a random UUID made when the publisher
 * starts), and the sequence number (8 bytes, big-endian) of the event, or for a heartbeat of the last event the
 * publisher sent. Sequence numbers start at 1 and grow by one per event, so a subscriber that sees a jump knows how
 * many events it missed.
 */
public final class Frames {
    /** Size of the stream frame. */
    public static final int STREAM_FRAME_BYTES = 25;
    /** Version byte of the stream frame. */
    public static final byte STREAM_VERSION = 1;
    /** The type frame of a heartbeat. */
    public static final byte[] HEARTBEAT_TYPE = new byte[0];
    /** The body frame of a heartbeat. */
    public static final byte[] EMPTY = new byte[0];

    private Frames() {
    }

    /** The stream frame for {@code seq} of publisher {@code id}. */
    public static byte[] stream(UUID publisher, long seq) {
        return ByteBuffer.allocate(STREAM_FRAME_BYTES).put(STREAM_VERSION)
                .putLong(publisher.getMostSignificantBits()).putLong(publisher.getLeastSignificantBits())
                .putLong(seq).array();
    }

    /** Whether {@code frame} is a stream frame this version reads. */
    public static boolean isStream(byte[] frame) {
        return frame.length == STREAM_FRAME_BYTES && frame[0] == STREAM_VERSION;
    }

    /** The publisher id of a stream frame. */
    public static UUID publisher(byte[] stream) {
        ByteBuffer b = ByteBuffer.wrap(stream, 1, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /** The sequence number of a stream frame. */
    public static long seq(byte[] stream) {
        return ByteBuffer.wrap(stream, 17, 8).getLong();
    }

    /** A type frame. */
    public static byte[] type(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    /** The text of a type frame, cut for logs. */
    public static String typeText(byte[] frame) {
        String s = new String(frame, 0, Math.min(frame.length, 80), StandardCharsets.UTF_8);
        return frame.length > 80 ? s + "..." : s;
    }
}
