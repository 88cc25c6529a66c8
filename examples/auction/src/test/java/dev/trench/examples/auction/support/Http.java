package dev.trench.examples.auction.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON HTTP client for the API's tests (the JDK's). */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    /** A client for {@code http://127.0.0.1:port}. */
    public Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** An answer: status, headers, body as text and as JSON (null when not JSON). */
    public record Answer(int status, String contentType, java.net.http.HttpHeaders headers, String body) {
        /** The body as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** A header's first value or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** GET. */
    public Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POST with a JSON body and optional bearer token. */
    public Answer post(String path, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    /** POST with a body of the given content type. */
    public Answer post(String path, String body, String contentType, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    /** Opens a session and returns {@code {"userId","token",...}}. */
    public JsonNode session(String name) throws Exception {
        Answer a = post("/session", "{\"name\": \"" + name + "\"}", null);
        if (a.status() != 200) {
            throw new AssertionError("POST /session answered " + a.status() + ": " + a.body());
        }
        return a.json();
    }

    private Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.headers(), r.body());
    }
}
