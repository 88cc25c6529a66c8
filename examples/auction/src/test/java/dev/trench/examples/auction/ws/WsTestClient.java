package dev.trench.examples.auction.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A websocket client for tests (the JDK's): received text messages in a queue, pings and the close recorded. */
final class WsTestClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The close the node sent: status code and reason. */
    record Close(int status, String reason) {
    }

    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> pings = new LinkedBlockingQueue<>();
    final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsTestClient(URI uri) throws Exception {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, new Listener())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static WsTestClient connect(int port) throws Exception {
        return new WsTestClient(URI.create("ws://127.0.0.1:" + port + "/ws"));
    }

    static WsTestClient connect(int port, String token) throws Exception {
        return new WsTestClient(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token));
    }

    /** Opens a connection and returns the failure of the handshake (the test expects one). */
    static CompletableFuture<WebSocket> attempt(int port, String query) {
        return HTTP.newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), new WebSocket.Listener() {
                });
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    void sendBinary(byte[] data) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(data), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Subscribes and waits for the snapshot the node sends first. */
    JsonNode subscribe(String auctionId) throws Exception {
        send("{\"subscribe\": \"" + auctionId + "\"}");
        JsonNode snapshot = next();
        assertThat(snapshot.path("type").asText()).as("first frame after subscribing to " + auctionId)
                .isEqualTo("Snapshot");
        assertThat(snapshot.path("auctionId").asText()).isEqualTo(auctionId);
        return snapshot;
    }

    /** The next message, waiting up to {@link #WAIT}; fails when none comes. */
    JsonNode next() throws Exception {
        String text = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(text).as("a message within " + WAIT).isNotNull();
        return JSON.readTree(text);
    }

    /** The next {@code n} messages. */
    List<JsonNode> next(int n) throws Exception {
        List<JsonNode> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(next());
        }
        return list;
    }

    /** Reads messages up to and including the first {@code AuctionRaised} of {@code auctionId} with {@code seq}. */
    List<JsonNode> until(String auctionId, long seq) throws Exception {
        List<JsonNode> list = new ArrayList<>();
        while (true) {
            JsonNode m = next();
            list.add(m);
            if (m.path("type").asText().equals("AuctionRaised") && m.path("auctionId").asText().equals(auctionId)
                    && m.path("seq").asLong() == seq) {
                return list;
            }
        }
    }

    Close awaitClose() throws Exception {
        return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
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
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.add(message);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
