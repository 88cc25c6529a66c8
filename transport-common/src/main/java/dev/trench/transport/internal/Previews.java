package dev.trench.transport.internal;

/** Safe, short renderings of raw message bytes for log lines about messages that could not be read. */
public final class Previews {
    private Previews() {
    }

    /**
     * The first {@code max} bytes of {@code data} as printable ASCII, other bytes shown as {@code \xNN}, with
     * {@code ...} when cut: enough to recognise a message in a log without flooding it.
     */
    public static String of(byte[] data, int offset, int length, int max) {
        StringBuilder sb = new StringBuilder(Math.min(length, max) + 8);
        int end = offset + Math.min(length, max);
        for (int i = offset; i < end; i++) {
            int b = data[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (length > max) {
            sb.append("...");
        }
        return sb.toString();
    }

    /** {@link #of(byte[], int, int, int)} over the whole array. */
    public static String of(byte[] data, int max) {
        return of(data, 0, data.length, max);
    }
}
