package dev.trench.bus;

/**
 * The command is handled by the named worker service, asynchronously: its dispatch completes with {@link Accepted}
 * once a worker accepted it. The async middleware hands it to the {@link CommandSender} configured for the worker, or
 * handles it on this node when this node is that worker.
 *
 * @param worker the logical name of the worker service, e.g. {@code auction-worker}
 */
public record HandledAsynchronously(String worker) implements Capability {
    public HandledAsynchronously {
        if (worker == null || worker.isBlank()) {
            throw new IllegalArgumentException("worker: must name a worker service, was " + worker);
        }
    }

    /** {@code HandledAsynchronously.by("auction-worker")} reads well in a spec. */
    public static HandledAsynchronously by(String worker) {
        return new HandledAsynchronously(worker);
    }
}
