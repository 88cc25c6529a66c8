package dev.trench.transport.zmq.internal;

/**
 * Lets through at most 10 log lines per 10 seconds and counts the rest, so the next line let through can say how many
 * were suppressed: a flood of bad frames must not flood the log. Used from one thread.
 */
public final class LogGate {
    private static final int BURST = 10;
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private long windowStart = System.nanoTime();
    private int inWindow;
    private long suppressed;
    private long lastSuppressed;

    /** Whether a line may be logged now; if so, {@link #suppressedNote()} tells what was dropped before it. */
    public boolean open() {
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= BURST) {
            suppressed++;
            return false;
        }
        inWindow++;
        lastSuppressed = suppressed;
        suppressed = 0;
        return true;
    }

    /** {@code " (N similar lines suppressed)"} after lines were dropped, else empty. */
    public String suppressedNote() {
        return lastSuppressed == 0 ? "" : " (" + lastSuppressed + " similar lines suppressed)";
    }
}
