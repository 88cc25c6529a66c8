package dev.trench.examples.auction.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trench.examples.auction.ws.AuctionSnapshot;
import dev.trench.examples.auction.ws.SnapshotSource;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A websocket node's {@link SnapshotSource} over the API: {@code GET {api}/auctions/{id}} with the JDK's
 * {@link HttpClient}, asynchronously (the node's threads never wait). 200 becomes the snapshot, 404 an empty answer,
 * anything else a failed stage (the node counts it and tries again later).
 */
public final class ApiSnapshotSource implements SnapshotSource, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> apiUrl;
    private final Duration timeout;
    private final ExecutorService executor;
    private final HttpClient client;

    /**
     * A source reading from the API at {@code apiUrl} (e.g. {@code http://auction-api:8080}).
     *
     * @param timeout the longest wait for one answer
     */
    public ApiSnapshotSource(String apiUrl, Duration timeout) {
        this(fixed(apiUrl), timeout);
    }

    /**
     * A source whose API address is known only once the API started (the embedded cluster starts the websocket
     * nodes first); the supplier is asked on every fetch.
     */
    public ApiSnapshotSource(Supplier<String> apiUrl, Duration timeout) {
        this.apiUrl = Objects.requireNonNull(apiUrl, "apiUrl");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "auction-snapshots-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private static Supplier<String> fixed(String apiUrl) {
        Objects.requireNonNull(apiUrl, "apiUrl");
        URI uri = URI.create(apiUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("apiUrl: must be an http:// URL such as http://auction-api:8080, was '"
                    + apiUrl + "'");
        }
        return () -> apiUrl;
    }

    @Override
    public CompletionStage<Optional<AuctionSnapshot>> fetch(String auctionId) {
        String base = apiUrl.get();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + "/auctions/"
                            + URLEncoder.encode(auctionId, StandardCharsets.UTF_8)))
                    .timeout(timeout).header("Accept", "application/json").GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() == 404) {
                return Optional.<AuctionSnapshot>empty();
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + request.uri() + " answered " + response.statusCode());
            }
            return Optional.of(parse(response.body()));
        });
    }

    /** Reads the API's auction JSON ({@code GET /auctions/{id}}) into a snapshot. */
    static AuctionSnapshot parse(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the API's auction is not JSON: " + e.getMessage(), e);
        }
        return new AuctionSnapshot(n.path("id").asText(), n.path("title").asText(), amount(n.get("highest")),
                text(n.get("leader")), n.path("seq").asLong(), n.path("status").asText(),
                Instant.parse(n.path("endsAt").asText()));
    }

    private static @Nullable BigDecimal amount(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : new BigDecimal(node.asText());
    }

    private static @Nullable String text(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    /** Stops the client's threads. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
