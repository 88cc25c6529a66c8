package dev.trench.bus;

import java.time.Instant;
import java.util.UUID;

/**
 * A 128-bit, time-ordered identifier in the layout of a version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then
 * a per-thread counter, then random bits. Used for command ids, correlation ids and causation ids. Ids made by one
 * generator sort by creation millisecond, and within one thread and millisecond by creation order.
 *
 * <p>Its text form is the canonical UUID form. {@link #parse(String)} also accepts 32 hex digits, the form of a W3C
 * {@code traceparent} trace id, so that a trace id arriving from a browser can become a correlation id.
 */
public final class MessageId implements Comparable<MessageId> {
    private final long msb;
    private final long lsb;
    /** The text form, computed on first use (a benign race: every thread computes the same string). */
    private String text;

    public MessageId(long msb, long lsb) {
        this.msb = msb;
        this.lsb = lsb;
    }

    /**
     * A generator of time-ordered ids: thread-confined counters and {@link java.util.concurrent.ThreadLocalRandom},
     * no shared lock. Each bus has one; middleware and transports that mint ids (e.g. event ids) make their own.
     */
    public static java.util.function.Supplier<MessageId> generator(java.time.Clock clock) {
        return new dev.trench.bus.internal.MessageIdGenerator(clock)::next;
    }

    /** Parses the canonical UUID form or 32 hex digits. */
    public static MessageId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("message id: is required");
        }
        try {
            if (text.length() == 32) {
                return new MessageId(Long.parseUnsignedLong(text.substring(0, 16), 16),
                        Long.parseUnsignedLong(text.substring(16), 16));
            }
            if (text.length() == 36) {
                UUID uuid = UUID.fromString(text);
                return new MessageId(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
            }
        } catch (NumberFormatException e) {
            // fall through to the common error
        }
        throw new IllegalArgumentException("message id: not a UUID or 32 hex digits: '" + abbreviate(text) + "'");
    }

    public long mostSignificantBits() {
        return msb;
    }

    public long leastSignificantBits() {
        return lsb;
    }

    /** The creation time encoded in the id (millisecond precision; meaningful for ids this library made). */
    public Instant timestamp() {
        return Instant.ofEpochMilli(msb >>> 16);
    }

    public UUID toUuid() {
        return new UUID(msb, lsb);
    }

    /** 32 lowercase hex digits, without dashes (the W3C trace id form). */
    public String toHex() {
        byte[] b = new byte[32];
        hex(msb, b, 0, 16);
        hex(lsb, b, 16, 16);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public int compareTo(MessageId o) {
        int c = Long.compareUnsigned(msb, o.msb);
        return c != 0 ? c : Long.compareUnsigned(lsb, o.lsb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId other && other.msb == msb && other.lsb == lsb;
    }

    @Override
    public int hashCode() {
        long h = msb ^ lsb;
        return (int) (h >> 32) ^ (int) h;
    }

    @Override
    public String toString() {
        String s = text;
        if (s == null) {
            byte[] b = new byte[36];
            hex(msb >>> 32, b, 0, 8);
            b[8] = '-';
            hex(msb >>> 16, b, 9, 4);
            b[13] = '-';
            hex(msb, b, 14, 4);
            b[18] = '-';
            hex(lsb >>> 48, b, 19, 4);
            b[23] = '-';
            hex(lsb, b, 24, 12);
            s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
            text = s;
        }
        return s;
    }

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    /** Writes the low {@code digits} hex digits of {@code value} into {@code out} at {@code at}. */
    private static void hex(long value, byte[] out, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
