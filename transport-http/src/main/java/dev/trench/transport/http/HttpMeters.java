package dev.trench.transport.http;

import dev.trench.transport.TransportMeters;

/**
 * Every meter of the HTTP transport, in one place. The meters every transport shares are named and tagged as in
 * {@link TransportMeters} (tag {@code transport=http}); the ones only HTTP has are named here. Names are lowercase and
 * dotted; tags carry bounded values only: never a command id, correlation id, path parameter or client address.
 *
 * <table>
 * <caption>Meters of the HTTP transport</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@value TransportMeters#MESSAGES}</td><td>counter</td><td>transport, channel, direction, kind</td>
 *     <td>commands accepted by a worker endpoint ({@code in}, channel: the server's name) or acknowledged to a
 *     sender ({@code out}, channel: the worker service)</td></tr>
 * <tr><td>{@value TransportMeters#BYTES}</td><td>counter (bytes)</td><td>transport, channel, direction, kind</td>
 *     <td>command bodies received ({@code in}) and sent, every attempt counted ({@code out})</td></tr>
 * <tr><td>{@value TransportMeters#REJECTS}</td><td>counter</td><td>transport, channel, direction, reason</td>
 *     <td>commands refused. {@code in}: a {@link dev.trench.transport.WireFormatException.Reason#tag()} such as
 *     {@code malformed}, {@code unknown-type}, {@code invalid-field}, {@code too-large}; or
 *     {@code unsupported-media-type}, {@code invalid-header}, {@code queue-full}, {@code draining}. {@code out}:
 *     {@code overloaded}, {@code unreachable}, {@code no-endpoint}, {@code refused-by-worker}, {@code rejected} (422),
 *     {@code deadline}, {@code closed}, or a wire-format reason when the command cannot be encoded</td></tr>
 * <tr><td>{@value TransportMeters#QUEUE_DEPTH}</td><td>gauge</td><td>transport, channel</td>
 *     <td>worker endpoint: acknowledged commands waiting for a worker thread; sender: commands not yet
 *     acknowledged</td></tr>
 * <tr><td>{@value TransportMeters#ENDPOINTS}</td><td>gauge</td><td>transport, channel</td>
 *     <td>endpoints a sender currently knows for its worker service</td></tr>
 * <tr><td>{@value TransportMeters#ACK_LATENCY}</td><td>timer</td><td>transport, channel</td>
 *     <td>sender: from {@code send} to the acknowledgement, retries included; worker endpoint: from the request
 *     read to the acknowledgement written</td></tr>
 * <tr><td>{@value #DUPLICATES}</td><td>counter</td><td>transport, channel</td>
 *     <td>resends of a command id accepted within the dedupe window: acknowledged again, not handled again</td></tr>
 * <tr><td>{@value #IN_PROGRESS}</td><td>gauge</td><td>transport, channel</td>
 *     <td>acknowledged commands not finished yet (queued or being handled): what a drain waits for</td></tr>
 * <tr><td>{@value #HANDLED}</td><td>counter</td><td>transport, channel, command, outcome</td>
 *     <td>commands a worker endpoint handled after accepting them ({@code success}, {@code failure})</td></tr>
 * <tr><td>{@value #RETRIES}</td><td>counter</td><td>transport, channel, cause</td>
 *     <td>sends repeated before an ack, on another endpoint when there is one ({@code refused}, {@code timeout},
 *     {@code overloaded}, {@code closed}, {@code no-endpoint})</td></tr>
 * <tr><td>{@value #ENDPOINT_CHANGES}</td><td>counter</td><td>transport, channel, change</td>
 *     <td>endpoints that {@code joined} or {@code left} a worker service</td></tr>
 * <tr><td>{@value #HTTP_REQUESTS}</td><td>timer</td><td>server, method, route, status</td>
 *     <td>every request answered by an {@link HttpServer}; {@code route} is the pattern, or {@code unmatched}</td></tr>
 * </table>
 */
public final class HttpMeters {
    /** Resends answered without handling twice. */
    public static final String DUPLICATES = "trench.transport.duplicates";
    /** Acknowledged commands not finished yet. */
    public static final String IN_PROGRESS = "trench.transport.in.progress";
    /** Commands handled by a worker endpoint. */
    public static final String HANDLED = "trench.transport.handled";
    /** Sends repeated before an ack. */
    public static final String RETRIES = "trench.transport.retries";
    /** Endpoints joining or leaving. */
    public static final String ENDPOINT_CHANGES = "trench.transport.endpoint.changes";
    /** Requests answered by an HTTP server. */
    public static final String HTTP_REQUESTS = "trench.http.server.requests";

    /** Tag: a command's logical name, e.g. {@code auction.raise-bid}. */
    public static final String TAG_COMMAND = "command";
    /** Tag: what made a sender retry. */
    public static final String TAG_CAUSE = "cause";
    /** Tag: {@code joined} or {@code left}. */
    public static final String TAG_CHANGE = "change";
    /** Tag: {@code success} or {@code failure}. */
    public static final String TAG_OUTCOME = "outcome";
    /** Tag: the server's configured name. */
    public static final String TAG_SERVER = "server";
    /** Tag: the HTTP method ({@code OTHER} for unusual ones). */
    public static final String TAG_METHOD = "method";
    /** Tag: the route pattern, or {@code unmatched}. */
    public static final String TAG_ROUTE = "route";
    /** Tag: the HTTP status code. */
    public static final String TAG_STATUS = "status";

    /** Value of {@link TransportMeters#TAG_TRANSPORT} for this transport. */
    public static final String HTTP = "http";

    private HttpMeters() {
    }
}
