package dev.trench.transport.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.WireFormatException.Reason;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads command and event envelopes with a streaming parser: the metadata field by field, the payload through the
 * mapper into the class the type registry names. A payload that comes before the {@code type} field is buffered and
 * bound once the type is known.
 */
public final class EnvelopeReader {
    private final ObjectMapper mapper;
    private final TypeRegistry types;
    private final int maxBytes;
    private final boolean failOnUnknownFields;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    /** A reader refusing messages longer than {@code maxBytes} before parsing them. */
    public EnvelopeReader(ObjectMapper mapper, TypeRegistry types, int maxBytes, boolean failOnUnknownFields) {
        this.mapper = mapper;
        this.types = types;
        this.maxBytes = maxBytes;
        this.failOnUnknownFields = failOnUnknownFields;
    }

    /** Decodes a command envelope. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Envelope<?> readCommand(byte[] data, int offset, int length) {
        State s = parse(data, offset, length, true);
        Command<?> command = (Command<?>) s.payload;
        Envelope.Builder builder = Envelope.builder(command)
                .commandId(s.id)
                .correlationId(s.correlationId)
                .causationId(s.causationId)
                .createdAt(s.createdAt)
                .deadline(s.deadline)
                .headers(s.headers == null ? Map.of() : s.headers)
                .attempt(s.attempt)
                .resumeAt(s.resumeAt);
        return builder.build();
    }

    /** Decodes an event envelope. */
    public EventEnvelope<?> readEvent(byte[] data, int offset, int length) {
        State s = parse(data, offset, length, false);
        return new EventEnvelope<>(s.id, s.correlationId, s.causationId, s.commandName, s.createdAt,
                s.headers == null ? Map.of() : s.headers, s.payload);
    }

    private State parse(byte[] data, int offset, int length, boolean command) {
        State s = new State(command);
        if (length > maxBytes) {
            throw new WireFormatException(Reason.TOO_LARGE, null, null, (command ? "command" : "event")
                    + " message is " + length + " bytes, more than the limit of " + maxBytes + " bytes", null);
        }
        if (length == 0) {
            throw new WireFormatException(Reason.MALFORMED, null, null, "empty message", null);
        }
        try (JsonParser p = mapper.getFactory().createParser(data, offset, length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw s.error(Reason.MALFORMED, null, "not a JSON object: starts with " + describe(t));
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                field(s, name, value, p);
            }
            if (p.nextToken() != null) {
                throw s.error(Reason.MALFORMED, null, "trailing content after the envelope's JSON object");
            }
        } catch (WireFormatException e) {
            throw e;
        } catch (StreamConstraintsException e) {
            throw s.error(Reason.MALFORMED, null, "JSON exceeds a limit: " + e.getOriginalMessage(), e);
        } catch (JsonParseException e) {
            throw s.error(Reason.MALFORMED, null, "not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw s.error(Reason.MALFORMED, null, "unreadable JSON: " + e.getMessage(), e);
        }
        if (s.type == null) {
            throw s.error(Reason.MISSING_FIELD, Fields.TYPE, "type: is required (the logical type name)");
        }
        if (s.buffered != null) {
            s.payload = readPayload(s, s.buffered.asParser());
        }
        require(s, s.id, command ? Fields.COMMAND_ID : Fields.EVENT_ID);
        require(s, s.correlationId, Fields.CORRELATION_ID);
        if (!command) {
            require(s, s.causationId, Fields.CAUSATION_ID);
            require(s, s.commandName, Fields.COMMAND_NAME);
        }
        require(s, s.createdAt, Fields.CREATED_AT);
        require(s, s.payload, Fields.PAYLOAD);
        return s;
    }

    private static void require(State s, @Nullable Object value, String field) {
        if (value == null) {
            throw s.error(Reason.MISSING_FIELD, field, field + ": is required");
        }
    }

    private void field(State s, String name, JsonToken value, JsonParser p) throws IOException {
        switch (name) {
            case Fields.TYPE -> {
                String type = text(s, p, value, name);
                if (type != null) {
                    s.resolve(type, types);
                }
            }
            case Fields.COMMAND_ID -> {
                if (!s.command) {
                    unknown(s, name, p);
                } else {
                    s.id = id(s, p, value, name);
                }
            }
            case Fields.EVENT_ID -> {
                if (s.command) {
                    unknown(s, name, p);
                } else {
                    s.id = id(s, p, value, name);
                }
            }
            case Fields.CORRELATION_ID -> s.correlationId = id(s, p, value, name);
            case Fields.CAUSATION_ID -> s.causationId = id(s, p, value, name);
            case Fields.COMMAND_NAME -> {
                if (s.command) {
                    unknown(s, name, p);
                } else {
                    s.commandName = text(s, p, value, name);
                }
            }
            case Fields.ATTEMPT -> {
                if (!s.command) {
                    unknown(s, name, p);
                } else {
                    Integer attempt = integer(s, p, value, name);
                    if (attempt != null) {
                        if (attempt < 1) {
                            throw s.error(Reason.INVALID_FIELD, name, name + ": must be >= 1, was " + attempt);
                        }
                        s.attempt = attempt;
                    }
                }
            }
            case Fields.RESUME_AT -> {
                if (!s.command) {
                    unknown(s, name, p);
                } else {
                    Integer resumeAt = integer(s, p, value, name);
                    if (resumeAt != null) {
                        if (resumeAt < 0) {
                            throw s.error(Reason.INVALID_FIELD, name, name + ": must be >= 0, was " + resumeAt);
                        }
                        s.resumeAt = resumeAt;
                    }
                }
            }
            case Fields.CREATED_AT -> s.createdAt = instant(s, p, value, name);
            case Fields.DEADLINE -> {
                if (!s.command) {
                    unknown(s, name, p);
                } else {
                    s.deadline = instant(s, p, value, name);
                }
            }
            case Fields.HEADERS -> s.headers = headers(s, p, value);
            case Fields.PAYLOAD -> {
                if (value == JsonToken.VALUE_NULL) {
                    s.payload = null;
                } else if (s.payloadType != null) {
                    s.payload = readPayload(s, p);
                } else {
                    TokenBuffer buffer = new TokenBuffer(p);
                    buffer.copyCurrentStructure(p);
                    s.buffered = buffer;
                }
            }
            default -> unknown(s, name, p);
        }
    }

    private void unknown(State s, String name, JsonParser p) throws IOException {
        if (failOnUnknownFields) {
            throw s.error(Reason.UNKNOWN_FIELD, name, name + ": unknown field in a" + (s.command ? " command" : "n event")
                    + " envelope");
        }
        p.skipChildren();
    }

    private Object readPayload(State s, JsonParser p) {
        Class<?> type = s.payloadType;
        ObjectReader reader = readers.computeIfAbsent(type, mapper::readerFor);
        try {
            Object value = reader.readValue(p);
            if (value == null) {
                throw s.error(Reason.MISSING_FIELD, Fields.PAYLOAD, "payload: is required");
            }
            return value;
        } catch (WireFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw payloadError(s, e);
        }
    }

    private static WireFormatException payloadError(State s, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidCommandException ice) {
                String field = Fields.PAYLOAD + "." + ice.field();
                return s.error(Reason.INVALID_FIELD, field, field + ": " + ice.reason(), ice);
            }
            if (c instanceof StreamConstraintsException sce) {
                return s.error(Reason.MALFORMED, null, "JSON exceeds a limit: " + sce.getOriginalMessage(), sce);
            }
            if (c instanceof JsonParseException jpe) {
                return s.error(Reason.MALFORMED, null, "not valid JSON: " + jpe.getOriginalMessage() + location(jpe),
                        jpe);
            }
        }
        String path = Fields.PAYLOAD;
        String detail = e.getMessage();
        if (e instanceof JsonMappingException jme) {
            path = path(jme);
            detail = jme.getOriginalMessage();
            if (e instanceof UnrecognizedPropertyException u) {
                return s.error(Reason.UNKNOWN_FIELD, path, path + ": unknown field of '" + s.type + "'", e);
            }
            Throwable cause = jme.getCause();
            if (cause != null && !(cause instanceof IOException)) {
                // the class's constructor (or a setter) refused the value
                detail = "refused: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            }
        }
        return s.error(Reason.INVALID_FIELD, path, path + ": " + firstLine(detail), e);
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder(Fields.PAYLOAD);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static @Nullable String text(State s, JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw s.error(Reason.INVALID_FIELD, field, field + ": expected a string, was " + describe(value));
        }
        return p.getText();
    }

    private static @Nullable MessageId id(State s, JsonParser p, JsonToken value, String field) throws IOException {
        String text = text(s, p, value, field);
        if (text == null) {
            return null;
        }
        try {
            return MessageId.parse(text);
        } catch (IllegalArgumentException e) {
            throw s.error(Reason.INVALID_FIELD, field, field + ": not a UUID: '" + abbreviate(text) + "'", e);
        }
    }

    private static @Nullable Integer integer(State s, JsonParser p, JsonToken value, String field)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw s.error(Reason.INVALID_FIELD, field, field + ": expected an integer, was " + describe(value));
        }
        if (p.getNumberType() != JsonParser.NumberType.INT) {
            throw s.error(Reason.INVALID_FIELD, field, field + ": out of range: " + abbreviate(p.getText()));
        }
        return p.getIntValue();
    }

    private static @Nullable Instant instant(State s, JsonParser p, JsonToken value, String field)
            throws IOException {
        String text = text(s, p, value, field);
        if (text == null) {
            return null;
        }
        try {
            return Instants.parse(text);
        } catch (DateTimeParseException e) {
            throw s.error(Reason.INVALID_FIELD, field, field + ": not an ISO-8601 instant (e.g."
                    + " 2025-01-31T10:15:30.123Z): '" + abbreviate(text) + "'", e);
        }
    }

    private static @Nullable Map<String, String> headers(State s, JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            throw s.error(Reason.INVALID_FIELD, Fields.HEADERS, "headers: expected an object of strings, was "
                    + describe(value));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            String field = Fields.HEADERS + "." + name;
            if (v != JsonToken.VALUE_STRING) {
                throw s.error(Reason.INVALID_FIELD, field, field + ": expected a string, was " + describe(v));
            }
            headers.put(name, p.getText());
        }
        return headers;
    }

    private static String describe(@Nullable JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static String location(JsonParseException e) {
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        if (at == null) {
            return "";
        }
        long offset = at.getCharOffset() >= 0 ? at.getCharOffset() : at.getByteOffset();
        return offset < 0 ? "" : " (at offset " + offset + ")";
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static String firstLine(@Nullable String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** What has been read so far of one message. */
    private static final class State {
        final boolean command;
        @Nullable String type;
        @Nullable Class<?> payloadType;
        @Nullable MessageId id;
        @Nullable MessageId correlationId;
        @Nullable MessageId causationId;
        @Nullable String commandName;
        int attempt = 1;
        int resumeAt;
        @Nullable Instant createdAt;
        @Nullable Instant deadline;
        @Nullable Map<String, String> headers;
        @Nullable Object payload;
        @Nullable TokenBuffer buffered;

        State(boolean command) {
            this.command = command;
        }

        void resolve(String name, TypeRegistry types) {
            Optional<? extends Class<?>> found = command
                    ? types.command(name).map(CommandSpec::commandType)
                    : types.event(name);
            if (found.isPresent()) {
                type = name;
                payloadType = found.get();
                return;
            }
            String message;
            if (command && types.event(name).isPresent()) {
                message = "type: '" + name + "' is an event type; a command was expected";
            } else if (!command && types.command(name).isPresent()) {
                message = "type: '" + name + "' is a command type; an event was expected";
            } else {
                message = "type: unknown " + (command ? "command" : "event") + " type '" + abbreviate(name)
                        + "'; known: " + new java.util.TreeSet<>(command ? types.commandNames() : types.eventNames());
            }
            throw new WireFormatException(Reason.UNKNOWN_TYPE, Fields.TYPE, abbreviate(name), message, null);
        }

        WireFormatException error(Reason reason, @Nullable String field, String message) {
            return error(reason, field, message, null);
        }

        WireFormatException error(Reason reason, @Nullable String field, String message, @Nullable Throwable cause) {
            String prefix = type == null ? "" : "'" + type + "' ";
            return new WireFormatException(reason, field, type, prefix + message, cause);
        }
    }
}
