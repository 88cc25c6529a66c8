package dev.trench.transport.http;

/**
 * Handles the requests of one route of an {@link HttpServer}.
 *
 * <p>Runs on a Netty I/O thread: it must not block. It answers with {@link HttpExchange#respond(HttpReply)} exactly
 * once, at once or later from any thread (e.g. when a dispatch completes). An exception thrown by it is answered with
 * a 500 problem (when nothing was sent yet) and logged; the connection stays usable.
 */
@FunctionalInterface
public interface HttpHandler {

    /**
     * Handles one request.
     *
     * @param exchange the request, and the way to answer it
     * @throws Exception any failure, answered with 500
     */
    void handle(HttpExchange exchange) throws Exception;
}
