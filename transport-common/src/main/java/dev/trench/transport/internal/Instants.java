package dev.trench.transport.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * Reads the instants of the wire format quickly. Every instant a Trench codec writes has the shape
 * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} ({@link Instant#toString()} with a four-digit year), and
 * {@link Instant#parse(CharSequence)} ({@link DateTimeFormatter#ISO_INSTANT}) spends most of a decode's time on it
 * (a parse context, a map of fields, resolving). {@link #parseCanonical(CharSequence)} reads that shape directly and
 * answers {@code null} for any other text, leaving it to {@link Instant#parse(CharSequence)}: what is accepted, the
 * value read and the error for a bad instant stay exactly those of {@code ISO_INSTANT}.
 */
public final class Instants {
    private static final int SECONDS_PER_DAY = 86_400;
    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000};

    private Instants() {
    }

    /** Parses {@code text} like {@link Instant#parse(CharSequence)}, through the fast path when it has the shape. */
    public static Instant parse(CharSequence text) {
        Instant fast = parseCanonical(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /**
     * The instant of {@code text} when it has the shape {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with a valid date and a
     * time before 24:00 without a leap second; otherwise {@code null} (the caller falls back to
     * {@link Instant#parse(CharSequence)}, which accepts or refuses the other shapes). For text of that shape the
     * result equals {@code Instant.parse(text)}.
     */
    public static @Nullable Instant parseCanonical(CharSequence text) {
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(n - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || hour > 23
                || minute > 59 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            // a fraction: '.', then 1 to 9 digits, then the 'Z'
            int fractionDigits = n - 21;
            if (text.charAt(19) != '.' || fractionDigits < 1) {
                return null;
            }
            int fraction = digits(text, 20, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * POW10[9 - fractionDigits];
        }
        if (day > 28 && day > lengthOfMonth(year, month)) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(CharSequence text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = text.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
