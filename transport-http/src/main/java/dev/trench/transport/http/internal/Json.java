package dev.trench.transport.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trench.transport.http.Problem;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The small JSON bodies of the HTTP transport itself: problems, acknowledgements, health. Command envelopes are
 * encoded by the shared wire codec, never here.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Serialises a value; a {@link Problem} becomes its RFC 9457 object with extensions as top-level members. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value instanceof Problem p ? problemTree(p) : value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode problemTree(Problem p) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", p.type());
        node.put("title", p.title());
        node.put("status", p.status());
        if (p.detail() != null) {
            node.put("detail", p.detail());
        }
        p.extensions().forEach((k, v) -> node.set(k, MAPPER.valueToTree(v)));
        return node;
    }

    /** Parses a JSON object, or returns {@code null} when the bytes are not one. */
    public static @Nullable JsonNode readObject(byte[] bytes) {
        if (bytes.length == 0) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads a problem body; {@code null} when the bytes are not a JSON object. */
    public static @Nullable Problem readProblem(byte[] bytes, int status) {
        JsonNode node = readObject(bytes);
        if (node == null) {
            return null;
        }
        String type = text(node, "type");
        String title = text(node, "title");
        String detail = text(node, "detail");
        Map<String, Object> extensions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            switch (f.getKey()) {
                case "type", "title", "status", "detail", "instance" -> {
                }
                default -> extensions.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText()
                        : f.getValue().toString());
            }
        }
        return new Problem(type == null ? "about:blank" : type, title == null ? "HTTP " + status : title, status,
                detail, extensions);
    }

    /** A text member of an object node, or {@code null}. */
    public static @Nullable String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
