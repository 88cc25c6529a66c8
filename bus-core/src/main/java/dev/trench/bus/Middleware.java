package dev.trench.bus;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A link of the bus's chain, in the tradition of OkHttp's interceptors. The chain is built once, when the bus is built,
 * from the middleware appended to the {@link CommandBus.Builder} in order: the first appended is the outermost, and
 * the call to the command's handlers is the last link.
 *
 * <p>A middleware may inspect or replace the envelope ({@link Chain#proceed(Envelope)} with a derived one),
 * short-circuit (return a stage without calling proceed), wrap the rest of the chain (timing, MDC), and observe the
 * outcome (the returned stage completes with the {@link Outcome}, or exceptionally with the handler's exception).
 *
 * <p>Contract, checked at run time and reported with the middleware's class name: call {@code proceed} at most once
 * per call of {@link #handle(Chain)} (unless {@link #mayProceedMoreThanOnce()}), and never return {@code null}. One
 * instance serves every concurrent dispatch: keep no per-call state in fields.
 *
 * <p>Recommended order, outermost first: logging, metrics, events, async, retry.
 */
@FunctionalInterface
public interface Middleware {

    /**
     * Handles one pass through this link.
     *
     * @return a stage completing with the outcome of the rest of the chain (or one this middleware made)
     */
    CompletionStage<Outcome> handle(Chain chain);

    /** The capability types this middleware honours, for the boot check of declared capabilities. */
    default Set<Class<? extends Capability>> honours() {
        return Set.of();
    }

    /**
     * Whether {@link Chain#proceed(Envelope)} may be called more than once per {@link #handle(Chain)} (a retrying
     * middleware). Every other middleware calling it twice fails loudly.
     */
    default boolean mayProceedMoreThanOnce() {
        return false;
    }

    /**
     * Takes part in the boot check: reports configuration problems (e.g. a command sent to a worker that has no
     * sender) and tells the bus which commands this node does not handle itself.
     */
    default void check(BootCheck boot) {
    }

    /** A name for error messages and the boot report; the class name by default. */
    default String name() {
        return getClass().getName();
    }

    /** The rest of the chain, as seen by one middleware during one dispatch. */
    interface Chain {

        /** The envelope this link received. */
        Envelope<?> envelope();

        /** The spec of the command being dispatched: its name, handlers and capabilities. */
        CommandSpec<?> spec();

        /**
         * How many handlers of this command have completed successfully so far in this dispatch, across attempts:
         * the index a retry resumes at.
         */
        int handlersCompleted();

        /**
         * Passes the envelope (the one received, or one derived from it with the same command type) to the next link.
         * Never throws: a failure of the rest of the chain completes the stage exceptionally.
         */
        CompletionStage<Outcome> proceed(Envelope<?> envelope);
    }
}
