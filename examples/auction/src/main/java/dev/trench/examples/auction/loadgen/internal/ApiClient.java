package dev.trench.examples.auction.loadgen.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The auction API as the load generator uses it, over the JDK's {@link HttpClient} (HTTP/1.1, asynchronous): opening
 * sessions, opening and reading auctions, posting bids. Amounts go out as decimal strings.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bidder's session: its user id and bearer token. */
    public record Session(String name, String userId, String token) {
    }

    /**
     * An auction's state as {@code GET /auctions/{id}} answers it; {@code minIncrement} and {@code minimumNextBid}
     * are {@code null} when the API does not say.
     */
    public record AuctionState(String id, @Nullable BigDecimal highest, long seq, String status,
            @Nullable BigDecimal minIncrement, @Nullable BigDecimal minimumNextBid) {
    }

    /** A call that answered something other than what it should have. */
    public static final class ApiException extends IOException {
        private static final long serialVersionUID = 1L;

        ApiException(String message) {
            super(message);
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    /** A client of the API at {@code base} ({@code http://host:port}, a path prefix allowed). */
    public ApiClient(URI base, Duration connectTimeout, Duration requestTimeout, Executor executor) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .executor(executor)
                .build();
    }

    /** {@code POST /session {"name": …}}: a session for a bidder. */
    public CompletableFuture<Session> openSession(String name) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        return send(post("/session", body.toString(), null)).thenApply(r -> {
            JsonNode json = expect2xx("POST /session", r);
            String userId = json.path("userId").asText(null);
            String token = json.path("token").asText(null);
            if (userId == null || token == null) {
                throw new CompletionException(new ApiException("POST /session answered without userId or token: "
                        + excerpt(r)));
            }
            return new Session(name, userId, token);
        });
    }

    /** {@code POST /auctions}: opens an auction (the API answers 202; a worker opens it a moment later). */
    public CompletableFuture<Void> openAuction(String id, String title, BigDecimal startingPrice,
            BigDecimal minIncrement, Instant endsAt) {
        ObjectNode body = JSON.createObjectNode()
                .put("id", id)
                .put("title", title)
                .put("startingPrice", startingPrice.toPlainString())
                .put("minIncrement", minIncrement.toPlainString())
                .put("endsAt", endsAt.toString());
        return send(post("/auctions", body.toString(), null)).thenAccept(r -> expect2xx("POST /auctions", r));
    }

    /** {@code GET /auctions/{id}}: the auction's state, or empty on 404. */
    public CompletableFuture<Optional<AuctionState>> auction(String id) {
        HttpRequest request = HttpRequest.newBuilder(uri("/auctions/" + encode(id)))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        return send(request).thenApply(r -> {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            JsonNode json = expect2xx("GET /auctions/" + id, r);
            return Optional.of(new AuctionState(json.path("id").asText(id), amount(json, "highest"),
                    json.path("seq").asLong(0), json.path("status").asText(""), amount(json, "minIncrement"),
                    amount(json, "minimumNextBid")));
        });
    }

    /** {@code POST /auctions/{id}/bids} with {@code body} and the bidder's token; the raw answer. */
    public CompletableFuture<HttpResponse<byte[]>> bid(String auctionId, String token, String body) {
        return send(post("/auctions/" + encode(auctionId) + "/bids", body, token));
    }

    private static @Nullable BigDecimal amount(JsonNode json, String field) {
        JsonNode n = json.path(field);
        if (!n.isTextual() && !n.isNumber()) {
            return null;
        }
        try {
            return new BigDecimal(n.asText());
        } catch (NumberFormatException e) {
            throw new CompletionException(new ApiException("GET /auctions answered a " + field
                    + " that is not a decimal: " + n.asText()));
        }
    }

    /** The {@code commandId} of a bid's 2xx body, if it has one. */
    public static @Nullable String commandIdOf(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null ? null : json.path("commandId").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private HttpRequest post(String path, String body, @Nullable String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    private CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode expect2xx(String call, HttpResponse<byte[]> r) {
        if (r.statusCode() / 100 != 2) {
            throw new CompletionException(new ApiException(call + " answered " + r.statusCode() + ": "
                    + excerpt(r)));
        }
        try {
            JsonNode json = r.body().length == 0 ? null : JSON.readTree(r.body());
            return json == null ? JSON.createObjectNode() : json;
        } catch (IOException e) {
            throw new CompletionException(new ApiException(call + " answered " + r.statusCode()
                    + " with a body that is not JSON: " + excerpt(r)));
        }
    }

    private static String excerpt(HttpResponse<byte[]> r) {
        String s = new String(r.body(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return s.isEmpty() ? "(empty body)" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
