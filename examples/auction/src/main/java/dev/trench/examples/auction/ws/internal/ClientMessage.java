package dev.trench.examples.auction.ws.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A message from a websocket client: {@code {"subscribe": "A1"}} or {@code {"unsubscribe": "A1"}}, exactly one key.
 * Anything else parses to an {@link Invalid} with the reason and a message for the client.
 */
public sealed interface ClientMessage permits ClientMessage.Subscribe, ClientMessage.Unsubscribe,
        ClientMessage.Invalid {

    /** Auction ids a client may name: a letter or digit, then up to 63 letters, digits, {@code .}, {@code _}, {@code -}. */
    Pattern AUCTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Why a client message was refused; the tag is the {@code reason} of the meter and of the Error frame. */
    enum Reason {
        MALFORMED("malformed"), UNKNOWN_FIELD("unknown-field"), INVALID_AUCTION_ID("invalid-auction-id"),
        TOO_LONG("too-long"), BINARY("binary"), TOO_MANY_SUBSCRIPTIONS("too-many-subscriptions");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /** The lowercase name used in meters and Error frames. */
        public String tag() {
            return tag;
        }
    }

    /** Start receiving an auction's events. */
    record Subscribe(String auctionId) implements ClientMessage {
    }

    /** Stop receiving an auction's events. */
    record Unsubscribe(String auctionId) implements ClientMessage {
    }

    /** A message the node does not understand. */
    record Invalid(Reason reason, String message) implements ClientMessage {
    }

    /** Parses one text message (its length already checked). */
    static ClientMessage parse(String text) {
        JsonNode node;
        try {
            node = Parser.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Invalid(Reason.MALFORMED, "not valid JSON");
        }
        if (node == null || !node.isObject()) {
            return new Invalid(Reason.MALFORMED, "expected a JSON object such as {\"subscribe\": \"A1\"}");
        }
        if (node.size() != 1) {
            return new Invalid(Reason.MALFORMED, "expected exactly one of the keys subscribe, unsubscribe");
        }
        Map.Entry<String, JsonNode> field = node.properties().iterator().next();
        String key = field.getKey();
        if (!key.equals("subscribe") && !key.equals("unsubscribe")) {
            return new Invalid(Reason.UNKNOWN_FIELD,
                    "unknown key '" + abbreviate(key) + "'; expected subscribe or unsubscribe");
        }
        JsonNode value = field.getValue();
        if (!value.isTextual() || !AUCTION_ID.matcher(value.textValue()).matches()) {
            return new Invalid(Reason.INVALID_AUCTION_ID, key + ": expected an auction id such as \"A1\" ("
                    + "letters, digits, '.', '_', '-'; at most 64)");
        }
        return key.equals("subscribe") ? new Subscribe(value.textValue()) : new Unsubscribe(value.textValue());
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }

    /** Holds the strict reader: trailing tokens and duplicate keys are errors. */
    final class Parser {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();

        private Parser() {
        }
    }
}
