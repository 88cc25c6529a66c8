package dev.trench.examples.auction.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A browser stand-in for tests (the JDK's websocket client): received JSON frames in a queue. */
public final class WsClient implements AutoCloseable {
    /** How long a test waits for a frame. */
    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private WsClient(URI uri) throws Exception {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, new Listener())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Connects to {@code ws://127.0.0.1:port/ws}, with the token when it is not {@code null}. */
    public static WsClient connect(int port, String token) throws Exception {
        String query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws" + query));
    }

    /** Subscribes and returns the first frame about the auction (the node's snapshot). */
    public JsonNode subscribe(String auctionId) throws Exception {
        socket.sendText("{\"subscribe\": \"" + auctionId + "\"}", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return next(f -> auctionId.equals(f.path("auctionId").asText()));
    }

    /** The next frame, failing when none comes within {@link #WAIT}. */
    public JsonNode next() throws Exception {
        String text = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(text).as("a websocket frame within " + WAIT).isNotNull();
        return JSON.readTree(text);
    }

    /** Skips frames up to the first one that matches, and returns it. */
    public JsonNode next(Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String text = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertThat(text).as("a matching websocket frame within " + WAIT).isNotNull();
            JsonNode frame = JSON.readTree(text);
            if (wanted.test(frame)) {
                return frame;
            }
        }
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frames.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
