package dev.trench.bus.internal;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.Middleware;
import dev.trench.bus.MiddlewareContractException;
import dev.trench.bus.Outcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The chain as one middleware sees it during one dispatch. */
final class Link implements Middleware.Chain {
    private final Dispatch dispatch;
    private final int index;
    private final Envelope<?> envelope;
    private int proceeded;

    Link(Dispatch dispatch, int index, Envelope<?> envelope) {
        this.dispatch = dispatch;
        this.index = index;
        this.envelope = envelope;
    }

    @Override
    public Envelope<?> envelope() {
        return envelope;
    }

    @Override
    public CommandSpec<?> spec() {
        return dispatch.route.spec;
    }

    @Override
    public int handlersCompleted() {
        return dispatch.handlersCompleted();
    }

    @Override
    public CompletionStage<Outcome> proceed(Envelope<?> next) {
        Middleware owner = dispatch.bus.middleware(index);
        if (++proceeded > 1 && !owner.mayProceedMoreThanOnce()) {
            return dispatch.bus.contractBroken(owner.name() + " called proceed() more than once for command "
                    + spec().name() + " " + envelope.commandId()
                    + "; only a middleware whose mayProceedMoreThanOnce() is true may");
        }
        if (next == null) {
            return dispatch.bus.contractBroken(owner.name() + " called proceed(null) for command " + spec().name());
        }
        if (next.command().getClass() != dispatch.route.spec.commandType()) {
            return dispatch.bus.contractBroken(owner.name() + " passed a " + next.command().getClass().getName()
                    + " to proceed() while handling " + dispatch.route.spec.commandType().getName());
        }
        try {
            return dispatch.bus.invoke(dispatch, index + 1, next);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    @Override
    public String toString() {
        return "Chain{" + spec().name() + " at " + dispatch.bus.middleware(index).name() + "}";
    }
}
