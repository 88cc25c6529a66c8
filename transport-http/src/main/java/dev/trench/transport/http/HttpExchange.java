package dev.trench.transport.http;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One request received by an {@link HttpServer} and its pending answer. The request is fully read (its body is at
 * most {@link HttpServerConfig#maxRequestBytes()}), so every accessor is cheap and safe from any thread.
 */
public interface HttpExchange {

    /** The method in upper case, e.g. {@code POST}. */
    String method();

    /** The path without the query string, percent-decoded, e.g. {@code /auctions/A1/bids}. */
    String path();

    /** The route pattern that matched, e.g. {@code /auctions/{auctionId}/bids}; for metrics and logs. */
    String route();

    /** The value of a {@code {name}} segment of the route pattern, or {@code null} when the pattern has none. */
    @Nullable String pathParameter(String name);

    /** The first value of a query parameter, or {@code null}. */
    @Nullable String queryParameter(String name);

    /** The first value of a request header (case-insensitive name), or {@code null}. */
    @Nullable String header(String name);

    /** Every value of a request header, in order; empty when absent. */
    List<String> headers(String name);

    /** The request body; a copy owned by the caller. */
    byte[] body();

    /** The length of the body in bytes. */
    int bodyLength();

    /** The client's address (the proxy's, behind one). */
    InetSocketAddress remoteAddress();

    /** Whether the server is draining: it answers health checks as not ready and should refuse new work with 503. */
    boolean draining();

    /**
     * Sends the answer. Call it exactly once, from any thread.
     *
     * @throws IllegalStateException when this exchange was already answered
     */
    void respond(HttpReply reply);
}
