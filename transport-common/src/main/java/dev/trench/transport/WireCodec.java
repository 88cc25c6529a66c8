package dev.trench.transport;

import com.fasterxml.jackson.databind.Module;
import dev.trench.bus.Envelope;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.internal.EnvelopeReader;
import dev.trench.transport.internal.EnvelopeWriter;
import dev.trench.transport.internal.Mappers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The wire format shared by every Trench transport: a JSON object carrying the envelope's metadata and the command or
 * event under its logical type name. One codec is built per node and shared by its transports; it is immutable and
 * thread-safe.
 *
 * <h2>Command envelope</h2>
 * <pre>{@code
 * { "type": "auction.raise-bid",
 *   "commandId": "0190f3c2-...", "correlationId": "0190f3c2-...", "causationId": null,
 *   "attempt": 1, "resumeAt": 0,
 *   "createdAt": "2025-01-31T10:15:30.123Z", "deadline": "2025-01-31T10:15:35Z",
 *   "headers": { "traceparent": "00-..." },
 *   "payload": { "auctionId": "A1", "userId": "alice", "amount": 12.50 } }
 * }</pre>
 * Required: {@code type}, {@code commandId}, {@code correlationId}, {@code createdAt}, {@code payload}. Optional:
 * {@code causationId}, {@code deadline} (absent or {@code null}: none), {@code attempt} (default 1), {@code resumeAt}
 * (default 0), {@code headers} (default empty; values must be strings). Ids are UUIDs in text form, instants ISO-8601.
 *
 * <h2>Event envelope</h2>
 * <pre>{@code
 * { "type": "auction.raised", "eventId": "...", "correlationId": "...", "causationId": "...",
 *   "commandName": "auction.raise-bid", "createdAt": "2025-01-31T10:15:30.123456Z",
 *   "headers": {}, "payload": { ... } }
 * }</pre>
 * Every field is required except {@code headers}.
 *
 * <h2>Types</h2>
 * The {@code type} is looked up in the {@link TypeRegistry}; a Java class name is never read from the wire and Jackson
 * default typing is never enabled. The payload is read through the class's canonical (record) constructor, so the
 * command's own validation runs on decode: an {@link dev.trench.bus.InvalidCommandException} it throws becomes a
 * {@link WireFormatException} with reason {@code INVALID_FIELD} and the field {@code payload.<field>}.
 *
 * <h2>Decimal numbers</h2>
 * {@link java.math.BigDecimal} values (money) are written as plain JSON numbers with their scale kept ({@code 12.50},
 * never {@code 12.5} or {@code 1.25E+1}) and read exactly, from a JSON number or from a string ({@code "12.50"}); a
 * reader in another language must parse them as decimals, not binary floating point. Untyped numbers (in a
 * {@code Map<String, Object>} field) are read as {@code BigDecimal} too.
 *
 * <h2>Limits and compatibility</h2>
 * A message longer than {@link #maxMessageBytes()} (64 KiB by default) is refused before it is parsed, and JSON nested
 * deeper than the configured depth (64 by default) is refused while parsing. Unknown JSON fields, in the envelope and in
 * the payload, are ignored by default so that a newer sender can talk to an older receiver during a rolling upgrade;
 * {@link Builder#failOnUnknownFields(boolean)} makes them errors. Duplicate fields are always errors.
 */
public final class WireCodec {
    /** The default limit of an encoded message: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    /** The default limit of JSON nesting (objects and arrays inside each other). */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;

    private final TypeRegistry types;
    private final int maxMessageBytes;
    private final int maxNestingDepth;
    private final boolean failOnUnknownFields;
    private final EnvelopeWriter writer;
    private final EnvelopeReader reader;

    private WireCodec(Builder b) {
        this.types = b.types;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxNestingDepth = b.maxNestingDepth;
        this.failOnUnknownFields = b.failOnUnknownFields;
        ObjectMapper mapper = Mappers.create(b.failOnUnknownFields, b.maxNestingDepth, b.maxMessageBytes, b.modules);
        this.writer = new EnvelopeWriter(mapper, types, maxMessageBytes);
        this.reader = new EnvelopeReader(mapper, types, maxMessageBytes, b.failOnUnknownFields);
    }

    /** Starts a codec for the types in {@code types}. */
    public static Builder builder(TypeRegistry types) {
        return new Builder(types);
    }

    /** A codec with the default settings. */
    public static WireCodec of(TypeRegistry types) {
        return builder(types).build();
    }

    /** The registry of type names this codec reads and writes. */
    public TypeRegistry types() {
        return types;
    }

    /** The largest message, in bytes, this codec encodes or decodes. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The deepest JSON nesting this codec accepts. */
    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** Whether unknown JSON fields are errors ({@code false}: they are ignored). */
    public boolean failOnUnknownFields() {
        return failOnUnknownFields;
    }

    /**
     * Encodes a command envelope as UTF-8 JSON.
     *
     * @throws WireFormatException {@code UNKNOWN_TYPE} when the command's class is not registered, {@code TOO_LARGE}
     *     when the result exceeds the limit, {@code INVALID_FIELD} when the command cannot be written as JSON
     */
    public byte[] encodeCommand(Envelope<?> envelope) {
        return writer.writeCommand(Objects.requireNonNull(envelope, "envelope"));
    }

    /**
     * Decodes a command envelope, running the command's own validation.
     *
     * @throws WireFormatException naming the problem and, where one is at fault, the field
     */
    public Envelope<?> decodeCommand(byte[] data) {
        return decodeCommand(data, 0, data.length);
    }

    /**
     * Decodes a command envelope from {@code length} bytes of {@code data} starting at {@code offset}.
     *
     * @throws WireFormatException naming the problem and, where one is at fault, the field
     */
    public Envelope<?> decodeCommand(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return reader.readCommand(data, offset, length);
    }

    /**
     * Encodes an event envelope as UTF-8 JSON.
     *
     * @throws WireFormatException {@code UNKNOWN_TYPE} when the event's class is not registered, {@code TOO_LARGE}
     *     when the result exceeds the limit, {@code INVALID_FIELD} when the event cannot be written as JSON
     */
    public byte[] encodeEvent(EventEnvelope<?> event) {
        return writer.writeEvent(Objects.requireNonNull(event, "event"));
    }

    /**
     * Decodes an event envelope.
     *
     * @throws WireFormatException naming the problem and, where one is at fault, the field
     */
    public EventEnvelope<?> decodeEvent(byte[] data) {
        return decodeEvent(data, 0, data.length);
    }

    /**
     * Decodes an event envelope from {@code length} bytes of {@code data} starting at {@code offset}.
     *
     * @throws WireFormatException naming the problem and, where one is at fault, the field
     */
    public EventEnvelope<?> decodeEvent(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return reader.readEvent(data, offset, length);
    }

    /**
     * The logical type name of an event, as written in its envelope's {@code type} field.
     *
     * @throws WireFormatException {@code UNKNOWN_TYPE} when the event's class is not registered
     */
    public String eventType(EventEnvelope<?> event) {
        return writer.eventName(event.event().getClass());
    }

    @Override
    public String toString() {
        return "WireCodec{maxMessageBytes=" + maxMessageBytes + ", maxNestingDepth=" + maxNestingDepth
                + ", failOnUnknownFields=" + failOnUnknownFields + ", " + types + "}";
    }

    /** Configures a {@link WireCodec}; every setter validates its value at once. */
    public static final class Builder {
        private final TypeRegistry types;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
        private boolean failOnUnknownFields;
        private final List<Module> modules = new ArrayList<>();

        private Builder(TypeRegistry types) {
            this.types = Objects.requireNonNull(types, "types");
        }

        /** The largest message accepted or produced, in bytes; 64 KiB by default. */
        public Builder maxMessageBytes(int value) {
            if (value < 64) {
                throw new IllegalArgumentException("maxMessageBytes: must be >= 64, was " + value);
            }
            this.maxMessageBytes = value;
            return this;
        }

        /** The deepest JSON nesting accepted; 64 by default. */
        public Builder maxNestingDepth(int value) {
            if (value < 3) {
                throw new IllegalArgumentException("maxNestingDepth: must be >= 3 (envelope, payload, one level), was "
                        + value);
            }
            this.maxNestingDepth = value;
            return this;
        }

        /** Whether unknown JSON fields are errors ({@code UNKNOWN_FIELD}); {@code false} (ignored) by default. */
        public Builder failOnUnknownFields(boolean value) {
            this.failOnUnknownFields = value;
            return this;
        }

        /**
         * Adds a Jackson module for the value types inside your commands and events (e.g. a money type). Modules that
         * enable polymorphic typing from the wire defeat the type registry: do not add one.
         */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /** Builds the codec. */
        public WireCodec build() {
            return new WireCodec(this);
        }
    }
}
