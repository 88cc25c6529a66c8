package dev.trench.bus;

/**
 * One step of handling a command. A command has an ordered list of handlers (declared in its {@link CommandSpec});
 * each has one responsibility, e.g. {@code AddUserToAuction}, then {@code CheckBidAmount}, then
 * {@code NotifyParticipants}.
 *
 * <p>Handlers run one after the other on the same thread. A handler that throws stops the list: the handlers after it
 * do not run and the dispatch fails with that exception, unchanged. Handlers report business failures with unchecked,
 * typed exceptions. A handler contributes to the command's result through {@link HandlerContext#result(Object)} and
 * records domain events through {@link HandlerContext#record(Object)}; events are published only when every handler
 * succeeded.
 *
 * <p>Handlers are created once per bus (by Guice, when the bus is built by the Guice module, or by a
 * {@link HandlerFactory}) and shared by concurrent dispatches: keep per-command state in the command or the
 * context, not in fields.
 *
 * @param <C> the command type
 * @param <R> the command's result type
 */
@FunctionalInterface
public interface CommandHandler<C extends Command<R>, R> {

    /**
     * Handles the command.
     *
     * @param command the command, already validated by its constructor
     * @param context the dispatch this call belongs to: envelope, result, recorded events, child dispatches
     */
    void handle(C command, HandlerContext<R> context);
}
