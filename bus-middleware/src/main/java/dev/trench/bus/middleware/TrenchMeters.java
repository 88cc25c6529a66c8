package dev.trench.bus.middleware;

/**
 * Every meter name and tag Trench records, in one place. Names are lowercase and dotted, as Micrometer recommends; each
 * registry renders them in its own convention (Prometheus: {@code trench_commands_seconds_count}, ...). Tag values are
 * bounded sets: a command's logical name, an outcome, never an id.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>recorded by</th></tr>
 *   <tr><td>{@value #COMMANDS}</td><td>timer</td><td>{@value #TAG_COMMAND}, {@value #TAG_OUTCOME}</td>
 *       <td>{@link MetricsMiddleware}, once per dispatch</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>counter</td><td>{@value #TAG_COMMAND}</td>
 *       <td>{@link MetricsMiddleware} as a listener of {@link RetryMiddleware}</td></tr>
 *   <tr><td>{@value #DEAD_LETTERS}</td><td>counter</td><td>{@value #TAG_COMMAND}</td>
 *       <td>{@link MetricsMiddleware} as a listener of {@link RetryMiddleware}</td></tr>
 *   <tr><td>{@value #EVENTS_PUBLISHED}</td><td>counter</td><td>{@value #TAG_COMMAND}, {@value #TAG_OUTCOME}
 *       ({@value #OUTCOME_SUCCESS} or {@value #OUTCOME_FAILURE})</td>
 *       <td>{@link MetricsMiddleware} as a publication listener of {@link EventsMiddleware}</td></tr>
 *   <tr><td>{@value #ASYNC_IN_FLIGHT}</td><td>gauge</td><td>none</td>
 *       <td>{@link MetricsMiddleware}, bound to an {@link AsyncMiddleware} or any count</td></tr>
 * </table>
 */
public final class TrenchMeters {
    private TrenchMeters() {
    }

    /**
     * Timer of command dispatches, one sample per dispatch (all its retries included), tagged {@value #TAG_COMMAND}
     * and {@value #TAG_OUTCOME}. On a node that hands a command to a worker it measures the time to the worker's
     * acknowledgement.
     */
    public static final String COMMANDS = "trench.commands";

    /** Counter of retries (one per retry, not per command), tagged {@value #TAG_COMMAND}. */
    public static final String RETRIES = "trench.command.retries";

    /** Counter of commands given up after their last attempt and sent to the dead-letter sink, tagged by command. */
    public static final String DEAD_LETTERS = "trench.command.dead.letters";

    /**
     * Counter of domain events handed to the event publisher, tagged {@value #TAG_COMMAND} (the command whose handlers
     * recorded them) and {@value #TAG_OUTCOME}: {@value #OUTCOME_SUCCESS} or {@value #OUTCOME_FAILURE}.
     */
    public static final String EVENTS_PUBLISHED = "trench.events.published";

    /**
     * Gauge of commands handed to a worker and not yet acknowledged (the async middleware's in-flight count, bounded
     * by its {@code maxInFlight}). Near the bound, new commands are refused with {@code OverloadedException}.
     */
    public static final String ASYNC_IN_FLIGHT = "trench.async.in.flight";

    /** Tag: the command's logical name from its {@code CommandSpec}, e.g. {@code auction.raise-bid}. */
    public static final String TAG_COMMAND = "command";

    /**
     * Tag: how a dispatch ended: {@value #OUTCOME_SUCCESS}, {@value #OUTCOME_ACCEPTED}, {@value #OUTCOME_REJECTED} or
     * {@value #OUTCOME_FAILURE}.
     */
    public static final String TAG_OUTCOME = "outcome";

    /** Outcome: the handlers ran and succeeded. */
    public static final String OUTCOME_SUCCESS = "success";

    /** Outcome: a worker acknowledged the command; it is handled there. */
    public static final String OUTCOME_ACCEPTED = "accepted";

    /**
     * Outcome: the command was refused for what it is, not for a fault: a {@code CommandRejectedException} (a
     * business rule) or an {@code InvalidCommandException} (validation).
     */
    public static final String OUTCOME_REJECTED = "rejected";

    /** Outcome: any other failure (after retries), including {@code OverloadedException}. */
    public static final String OUTCOME_FAILURE = "failure";
}
