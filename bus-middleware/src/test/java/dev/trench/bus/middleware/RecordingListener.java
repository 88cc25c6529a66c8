package dev.trench.bus.middleware;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.Outcome;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records every lifecycle call as a line, in order; thread-safe. */
final class RecordingListener implements CommandListener {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Duration> retryDelays = Collections.synchronizedList(new ArrayList<>());
    final List<Envelope<?>> retryEnvelopes = Collections.synchronizedList(new ArrayList<>());
    final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    final List<Duration> durations = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void received(CommandSpec<?> spec, Envelope<?> envelope) {
        calls.add("received " + spec.name());
    }

    @Override
    public void succeeded(CommandSpec<?> spec, Outcome outcome, Duration took) {
        durations.add(took);
        calls.add("succeeded " + spec.name());
    }

    @Override
    public void failed(CommandSpec<?> spec, Envelope<?> envelope, Throwable error, Duration took) {
        durations.add(took);
        calls.add("failed " + spec.name() + " " + error.getMessage());
    }

    @Override
    public void retried(CommandSpec<?> spec, Envelope<?> next, Throwable error, Duration delay) {
        retryDelays.add(delay);
        retryEnvelopes.add(next);
        calls.add("retried " + spec.name() + " attempt " + next.attempt() + " resumeAt " + next.resumeAt());
    }

    @Override
    public void deadLettered(CommandSpec<?> spec, DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
        calls.add("deadLettered " + spec.name());
    }

    List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}
