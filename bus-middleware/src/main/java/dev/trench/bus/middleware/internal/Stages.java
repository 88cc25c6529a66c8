package dev.trench.bus.middleware.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Helpers for the stages passed along the chain: failures travel unwrapped, as the handler's own exception. */
public final class Stages {
    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    private Stages() {
    }

    /** The exception inside any layers of {@link CompletionException} and {@link ExecutionException}. */
    public static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Runs {@code action} when {@code stage} completes (with its failure unwrapped), then completes the returned stage
     * the same way, so that whoever waits on it sees the action's effects. The failure is passed on unwrapped, not
     * inside a {@link CompletionException}. An exception thrown by the action is logged and does not change the
     * outcome.
     */
    public static <T> CompletableFuture<T> afterwards(CompletionStage<T> stage,
            BiConsumer<@Nullable T, @Nullable Throwable> action) {
        if (stage instanceof CompletableFuture<T> done && done.isDone() && !done.isCompletedExceptionally()) {
            // the common synchronous case: run the action now and pass the same stage on
            T value = done.join();
            try {
                action.accept(value, null);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("A completion callback failed; the outcome is passed on unchanged", e);
            }
            return done;
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            Throwable failure = error == null ? null : unwrap(error);
            try {
                action.accept(value, failure);
            } catch (RuntimeException | LinkageError e) {
                LOG.error("A completion callback failed; the outcome is passed on unchanged", e);
            } finally {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            }
        });
        return result;
    }
}
