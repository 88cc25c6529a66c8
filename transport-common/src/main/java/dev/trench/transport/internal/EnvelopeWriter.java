package dev.trench.transport.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.WireFormatException.Reason;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** Writes command and event envelopes as JSON with a streaming generator; the payload through the mapper. */
public final class EnvelopeWriter {
    private final ObjectMapper mapper;
    private final ObjectWriter payloadWriter;
    private final TypeRegistry types;
    private final int maxBytes;

    /** A writer refusing results longer than {@code maxBytes}. */
    public EnvelopeWriter(ObjectMapper mapper, TypeRegistry types, int maxBytes) {
        this.mapper = mapper;
        this.payloadWriter = mapper.writer();
        this.types = types;
        this.maxBytes = maxBytes;
    }

    /** Encodes a command envelope. */
    public byte[] writeCommand(Envelope<?> envelope) {
        Class<?> commandType = envelope.command().getClass();
        String type = types.commandName(commandType).orElseThrow(() -> new WireFormatException(Reason.UNKNOWN_TYPE,
                null, null, "command class " + commandType.getName() + " is not registered in the type registry;"
                        + " register its CommandSpec", null));
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(Fields.TYPE, type);
            g.writeStringField(Fields.COMMAND_ID, envelope.commandId().toString());
            g.writeStringField(Fields.CORRELATION_ID, envelope.correlationId().toString());
            MessageId causation = envelope.causationId();
            if (causation != null) {
                g.writeStringField(Fields.CAUSATION_ID, causation.toString());
            }
            g.writeNumberField(Fields.ATTEMPT, envelope.attempt());
            g.writeNumberField(Fields.RESUME_AT, envelope.resumeAt());
            g.writeStringField(Fields.CREATED_AT, envelope.createdAt().toString());
            Instant deadline = envelope.deadline();
            if (deadline != null) {
                g.writeStringField(Fields.DEADLINE, deadline.toString());
            }
            writeHeaders(g, envelope.headers());
            g.writeFieldName(Fields.PAYLOAD);
            payloadWriter.writeValue(g, envelope.command());
            g.writeEndObject();
        } catch (IOException e) {
            throw payloadProblem(type, e);
        }
        return checked(out, type);
    }

    /** Encodes an event envelope. */
    public byte[] writeEvent(EventEnvelope<?> event) {
        String type = eventName(event.event().getClass());
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(Fields.TYPE, type);
            g.writeStringField(Fields.EVENT_ID, event.eventId().toString());
            g.writeStringField(Fields.CORRELATION_ID, event.correlationId().toString());
            g.writeStringField(Fields.CAUSATION_ID, event.causationId().toString());
            g.writeStringField(Fields.COMMAND_NAME, event.commandName());
            g.writeStringField(Fields.CREATED_AT, event.createdAt().toString());
            writeHeaders(g, event.headers());
            g.writeFieldName(Fields.PAYLOAD);
            payloadWriter.writeValue(g, event.event());
            g.writeEndObject();
        } catch (IOException e) {
            throw payloadProblem(type, e);
        }
        return checked(out, type);
    }

    /** The registered name of an event class. */
    public String eventName(Class<?> eventType) {
        return types.eventName(eventType).orElseThrow(() -> new WireFormatException(Reason.UNKNOWN_TYPE, null, null,
                "event class " + eventType.getName() + " is not registered in the type registry;"
                        + " register it with registerEvent(name, class)", null));
    }

    private static void writeHeaders(JsonGenerator g, Map<String, String> headers) throws IOException {
        g.writeObjectFieldStart(Fields.HEADERS);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            g.writeStringField(h.getKey(), h.getValue());
        }
        g.writeEndObject();
    }

    private byte[] checked(ByteArrayBuilder out, String type) {
        int size = out.size();
        if (size > maxBytes) {
            throw new WireFormatException(Reason.TOO_LARGE, null, type, "message of type '" + type + "' is " + size
                    + " bytes encoded, more than the limit of " + maxBytes + " bytes", null);
        }
        return out.toByteArray();
    }

    private static WireFormatException payloadProblem(String type, IOException e) {
        return new WireFormatException(Reason.INVALID_FIELD, Fields.PAYLOAD, type,
                "payload of type '" + type + "' cannot be written as JSON: " + e.getMessage(), e);
    }
}
