package dev.trench.bus.spi;

import dev.trench.bus.MessageId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A domain event recorded by a command's handlers, with the metadata that ties it to its command.
 *
 * @param eventId       unique, time-ordered id of the event
 * @param correlationId the command's correlation id
 * @param causationId   the id of the command whose handlers recorded it
 * @param commandName   the logical name of that command
 * @param createdAt     when the command's handlers succeeded
 * @param headers       the command's headers (e.g. {@code traceparent})
 * @param event         the event itself, e.g. {@code AuctionRaised}
 */
public record EventEnvelope<E>(MessageId eventId, MessageId correlationId, MessageId causationId, String commandName,
        Instant createdAt, Map<String, String> headers, E event) {
    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        Objects.requireNonNull(commandName, "commandName");
        Objects.requireNonNull(createdAt, "createdAt");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(event, "event");
    }
}
