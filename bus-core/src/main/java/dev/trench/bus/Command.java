package dev.trench.bus;

/**
 * A business intention, such as raising a bid in an auction.
 *
 * <p>A command is a small immutable value, usually a record, that validates itself in its constructor and throws a
 * {@link InvalidCommandException} naming the offending field. The type parameter is the type of the command's result:
 * the value its handlers produce (see {@link HandlerContext#result(Object)}), or {@link Accepted} for a command that
 * declares {@link HandledAsynchronously}: its caller learns only that a worker accepted it.
 *
 * <pre>{@code
 * public record RaiseBid(String auctionId, String userId, BigDecimal amount) implements Command<Accepted> {
 *     public RaiseBid {
 *         InvalidCommandException.requireText("auctionId", auctionId);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Which handlers run it, in which order, and which capabilities it has is declared once, in its
 * {@link CommandSpec}.
 *
 * @param <R> the type of the command's result
 */
public interface Command<R> {
}
