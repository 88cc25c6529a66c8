package dev.trench.transport.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;

/** Builds the one {@link ObjectMapper} a codec uses: strict JSON, exact decimals, no default typing. */
public final class Mappers {
    private Mappers() {
    }

    /**
     * The mapper for a codec.
     *
     * @param failOnUnknownFields whether unknown payload properties are errors
     * @param maxNestingDepth     deepest nesting of objects and arrays accepted
     * @param maxDocumentBytes    longest document accepted (the codec also checks before parsing)
     * @param modules             extra modules for payload value types
     */
    public static ObjectMapper create(boolean failOnUnknownFields, int maxNestingDepth, int maxDocumentBytes,
            List<Module> modules) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .maxDocumentLength(maxDocumentBytes)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
        JsonMapper.Builder builder = JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .addModule(FastInstants.module())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, failOnUnknownFields)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(MapperFeature.DEFAULT_VIEW_INCLUSION);
        for (Module m : modules) {
            builder.addModule(m);
        }
        // never: builder.activateDefaultTyping(...). The type registry decides the class of every payload.
        return builder.build();
    }
}
