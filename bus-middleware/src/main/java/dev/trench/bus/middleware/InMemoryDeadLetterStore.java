package dev.trench.bus.middleware;

import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.UnknownCommandException;
import dev.trench.bus.spi.DeadLetter;
import dev.trench.bus.spi.DeadLetterSink;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeadLetterSink} that keeps dead letters in memory, to be listed, inspected and dispatched again. Thread-safe.
 * Bounded: when it holds {@link #capacity()} dead letters, storing one more drops the oldest with a WARN naming its
 * command id. A command dead-lettered again replaces its earlier entry (one entry per command id).
 *
 * <p>{@link #redispatch(MessageId, CommandBus)} sends a dead letter through the bus again as a normal dispatch of the
 * same envelope: the same command id, correlation and {@code resumeAt} (so the handlers that had succeeded are not
 * run again), the attempt number reset to 1, through the command's whole chain and retry policy. If it fails its
 * retries again, the retry middleware dead-letters it again.
 *
 * <p>Events recorded by the handlers that had succeeded before the failure are not part of a dead letter, so they are
 * not published when it is dispatched again.
 */
public final class InMemoryDeadLetterStore implements DeadLetterSink {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryDeadLetterStore.class);

    /** The capacity of {@link #InMemoryDeadLetterStore()}. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final int capacity;
    private final LinkedHashMap<MessageId, DeadLetter> letters = new LinkedHashMap<>();

    /** A store for at most {@value #DEFAULT_CAPACITY} dead letters. */
    public InMemoryDeadLetterStore() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * A store for at most {@code capacity} dead letters.
     *
     * @param capacity at least 1
     */
    public InMemoryDeadLetterStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** The most dead letters kept. */
    public int capacity() {
        return capacity;
    }

    /** Stores a dead letter, dropping the oldest when full. */
    @Override
    public void accept(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        DeadLetter dropped = null;
        synchronized (letters) {
            MessageId id = deadLetter.envelope().commandId();
            letters.remove(id);
            if (letters.size() >= capacity) {
                Iterator<DeadLetter> oldest = letters.values().iterator();
                dropped = oldest.next();
                oldest.remove();
            }
            letters.put(id, deadLetter);
        }
        if (dropped != null) {
            LOG.warn("Dead-letter store full ({} dead letters); dropped the oldest: command {} {} ({} attempts,"
                    + " last error: {})", capacity, dropped.commandName(), dropped.envelope().commandId(),
                    dropped.failures().size(), dropped.lastError().toString());
        }
    }

    /** Every dead letter held, oldest first. */
    public List<DeadLetter> list() {
        synchronized (letters) {
            return List.copyOf(new ArrayList<>(letters.values()));
        }
    }

    /** The number of dead letters held. */
    public int size() {
        synchronized (letters) {
            return letters.size();
        }
    }

    /** The dead letter of the command with this id. */
    public Optional<DeadLetter> find(MessageId commandId) {
        synchronized (letters) {
            return Optional.ofNullable(letters.get(commandId));
        }
    }

    /** Removes and returns the dead letter of the command with this id. */
    public Optional<DeadLetter> remove(MessageId commandId) {
        synchronized (letters) {
            return Optional.ofNullable(letters.remove(commandId));
        }
    }

    /**
     * Removes the dead letter and dispatches its envelope again through {@code bus}, with the attempt number reset to
     * 1 and the same command id and {@code resumeAt}.
     *
     * @return the stage of the new dispatch; failed with {@link NoSuchElementException} when no dead letter has this
     *     id, or with {@link UnknownCommandException} (the dead letter is kept) when {@code bus} does not know the
     *     command
     */
    public CompletionStage<Object> redispatch(MessageId commandId, CommandBus bus) {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(bus, "bus");
        DeadLetter letter;
        synchronized (letters) {
            letter = letters.get(commandId);
            if (letter == null) {
                return CompletableFuture.failedFuture(new NoSuchElementException("No dead letter for command id "
                        + commandId));
            }
            Class<?> type = letter.envelope().command().getClass();
            if (bus.spec(type).isEmpty()) {
                return CompletableFuture.failedFuture(new UnknownCommandException(type));
            }
            letters.remove(commandId);
        }
        return dispatch(bus, letter.envelope().withAttempt(1));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletionStage<Object> dispatch(CommandBus bus, Envelope<?> envelope) {
        return bus.dispatch((Envelope<? extends Command<Object>>) (Envelope) envelope);
    }

    @Override
    public String toString() {
        return "InMemoryDeadLetterStore{" + size() + "/" + capacity + "}";
    }
}
