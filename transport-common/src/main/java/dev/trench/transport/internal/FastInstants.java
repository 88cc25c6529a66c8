package dev.trench.transport.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Speeds up the {@link Instant} fields of payloads: the {@code JavaTimeModule}'s {@link InstantDeserializer} is wrapped
 * so that a string of the canonical shape ({@link Instants#parseCanonical(CharSequence)}) is read directly, and
 * everything else (other shapes, numbers, nulls, bad text) still goes to the wrapped deserializer. A property with its
 * own format ({@code @JsonFormat}, a config override) gets the module's contextual deserializer unwrapped, and a
 * deserializer registered by another module for {@code Instant} is left alone.
 */
public final class FastInstants {
    private FastInstants() {
    }

    /** The module that wraps the {@code JavaTimeModule}'s instant deserializer; register it with that module. */
    public static SimpleModule module() {
        SimpleModule module = new SimpleModule("trench-fast-instants");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription beanDesc,
                    JsonDeserializer<?> deserializer) {
                if (deserializer.getClass() == InstantDeserializer.class && deserializer.handledType() == Instant.class) {
                    @SuppressWarnings("unchecked")
                    JsonDeserializer<Instant> wrapped = (JsonDeserializer<Instant>) deserializer;
                    return new Wrapper(wrapped);
                }
                return deserializer;
            }
        });
        return module;
    }

    /** The fast path in front of the module's deserializer. */
    private static final class Wrapper extends JsonDeserializer<Instant> implements ContextualDeserializer {
        private final JsonDeserializer<Instant> delegate;

        Wrapper(JsonDeserializer<Instant> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                Instant fast = Instants.parseCanonical(p.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return delegate.deserialize(p, ctxt);
        }

        @Override
        public Object deserializeWithType(JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
                throws IOException {
            return delegate.deserializeWithType(p, ctxt, typeDeserializer);
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
                throws JsonMappingException {
            JsonDeserializer<?> contextual = delegate instanceof ContextualDeserializer c
                    ? c.createContextual(ctxt, property) : delegate;
            // the same deserializer: no format of its own for this property, the fast path reads what it would
            return contextual == delegate ? this : contextual;
        }

        @Override
        public Class<?> handledType() {
            return Instant.class;
        }

        @Override
        public LogicalType logicalType() {
            return delegate.logicalType();
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) throws JsonMappingException {
            return delegate.getEmptyValue(ctxt);
        }

        @Override
        public Instant getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            return delegate.getNullValue(ctxt);
        }
    }
}
