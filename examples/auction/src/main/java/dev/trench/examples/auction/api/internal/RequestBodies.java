package dev.trench.examples.auction.api.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.trench.transport.http.HttpExchange;
import dev.trench.transport.http.Problem;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the small JSON bodies of the API strictly: a JSON object, only the expected members, text where text is
 * expected, decimal amounts as strings. Every refusal is a {@link BadRequest} carrying the problem to answer, naming
 * the field.
 */
public final class RequestBodies {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8)
                .maxStringLength(4096).maxNumberLength(64).build());
    }

    /** A plain decimal: digits, an optional fraction; no exponent, no sign other than '-'. */
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,15}(\\.\\d{1,15})?");

    private RequestBodies() {
    }

    /** A request refused with a problem (400 or 415). */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Problem problem;

        BadRequest(Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }

        /** The problem to answer with. */
        public Problem problem() {
            return problem;
        }
    }

    /** A 400 {@code invalid-field} problem naming {@code field}. */
    public static Problem invalidField(String field, String detail) {
        return Problem.of(400, "invalid-field", "Invalid field", field + ": " + detail).with("field", field);
    }

    /** Parses the body as one JSON object holding no members but {@code allowed}. */
    public static JsonNode object(HttpExchange exchange, Set<String> allowed) throws BadRequest {
        String type = exchange.header("Content-Type");
        if (type != null && !type.toLowerCase(Locale.ROOT).contains("json")) {
            throw new BadRequest(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "the body must be application/json, was " + type));
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(exchange.body());
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new BadRequest(Problem.of(400, "malformed", "Malformed body", "the body is not valid JSON: "
                    + why));
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest(Problem.of(400, "malformed", "Malformed body", "the body must be a JSON object"));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new BadRequest(Problem.of(400, "unknown-field", "Unknown field", name
                        + ": is not a field of this request; expected only " + new java.util.TreeSet<>(allowed))
                        .with("field", name));
            }
        }
        return node;
    }

    /** A required text member. */
    public static String text(JsonNode body, String field) throws BadRequest {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new BadRequest(Problem.of(400, "missing-field", "Missing field", field + ": is required")
                    .with("field", field));
        }
        if (!v.isTextual()) {
            throw new BadRequest(invalidField(field, "must be a string"));
        }
        return v.textValue();
    }

    /**
     * A required decimal amount written as a string ({@code "12.50"}); a JSON number is refused, since a client that
     * writes one has probably been through a binary float.
     */
    public static BigDecimal decimal(JsonNode body, String field) throws BadRequest {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new BadRequest(Problem.of(400, "missing-field", "Missing field", field + ": is required")
                    .with("field", field));
        }
        if (!v.isTextual()) {
            throw new BadRequest(invalidField(field, "must be a decimal string such as \"12.50\", was "
                    + (v.isNumber() ? "the JSON number " + v.asText() : "a JSON " + v.getNodeType().name()
                    .toLowerCase(Locale.ROOT))));
        }
        String text = v.textValue().trim();
        if (!DECIMAL.matcher(text).matches()) {
            throw new BadRequest(invalidField(field, "must be a decimal string such as \"12.50\", was \""
                    + abbreviate(v.textValue()) + "\""));
        }
        return new BigDecimal(text);
    }

    /** A required ISO-8601 instant written as a string ({@code "2030-01-31T10:15:30Z"}). */
    public static Instant instant(JsonNode body, String field) throws BadRequest {
        String text = text(body, field);
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new BadRequest(invalidField(field, "must be an ISO-8601 instant such as \"2030-01-31T10:15:30Z\","
                    + " was \"" + abbreviate(text) + "\""));
        }
    }

    /** Refuses with a problem. */
    public static BadRequest refuse(Problem problem) {
        return new BadRequest(problem);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
