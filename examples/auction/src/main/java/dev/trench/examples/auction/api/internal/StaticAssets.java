package dev.trench.examples.auction.api.internal;

import dev.trench.transport.http.HttpReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web page's files, read once from the classpath ({@code /auction-web/…}) and served as they are: no build step,
 * no external CDN.
 */
public final class StaticAssets {
    /** The classpath folder of the page. */
    public static final String ROOT = "/auction-web/";

    /** URL path to the reply serving it. */
    private final Map<String, HttpReply> replies = new LinkedHashMap<>();

    /** Reads every file of the page; fails at start-up when one is missing from the jar. */
    public StaticAssets() {
        add("/", "index.html", "text/html; charset=utf-8");
        add("/index.html", "index.html", "text/html; charset=utf-8");
        add("/app.js", "app.js", "text/javascript; charset=utf-8");
        add("/app.css", "app.css", "text/css; charset=utf-8");
        add("/favicon.svg", "favicon.svg", "image/svg+xml");
    }

    private void add(String path, String file, String contentType) {
        byte[] body;
        try (InputStream in = StaticAssets.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("the page's file " + ROOT + file + " is missing from the classpath");
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + file, e);
        }
        replies.put(path, HttpReply.of(200, contentType, body).withHeader("Cache-Control", "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff"));
    }

    /** URL paths and their replies, in order. */
    public Map<String, HttpReply> replies() {
        return replies;
    }
}
