package dev.trench.bus.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/** Reads completed futures in tests. */
final class Futures {
    private Futures() {
    }

    /** The exception a completed, failed stage holds, as the caller of the bus would see it. */
    static Throwable failure(CompletionStage<?> stage) {
        Future<?> f = stage.toCompletableFuture();
        assertThat(f.isDone()).as("the stage is complete").isTrue();
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the stage to have failed, but it completed normally");
    }
}
