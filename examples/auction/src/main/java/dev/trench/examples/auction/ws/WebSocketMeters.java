package dev.trench.examples.auction.ws;

/**
 * The meters of a {@link WebSocketNode}, all in one place. Every meter carries the tag {@value #TAG_NODE} (the node's
 * configured {@linkplain WebSocketNodeConfig#name() name}, so that two nodes in one JVM keep separate meters); no meter
 * is tagged with an id (auction, user, session).
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 * <tr><td>{@value #SESSIONS}</td><td>gauge</td><td>node</td><td>open websocket sessions</td></tr>
 * <tr><td>{@value #FANNED_OUT}</td><td>counter</td><td>node, type</td>
 *     <td>event frames written to a socket, by {@code type}: {@code auction-raised}, {@code bid-rejected},
 *     {@code snapshot}</td></tr>
 * <tr><td>{@value #FANOUT_LAG}</td><td>timer (histogram)</td><td>node</td>
 *     <td>from the event's creation ({@code EventEnvelope.createdAt}) to its frame written to a socket, per frame</td></tr>
 * <tr><td>{@value #SLOW_CLIENT_DISCONNECTS}</td><td>counter</td><td>node</td>
 *     <td>sessions closed because their outbound buffer overflowed</td></tr>
 * <tr><td>{@value #EVENTS_DROPPED}</td><td>counter</td><td>node, reason</td>
 *     <td>events not forwarded: {@code duplicate} (its sequence number was the last one forwarded, or is already held),
 *     {@code stale} (older than the last one forwarded, or covered by a snapshot), {@code overflow} (too many events
 *     held behind a gap), {@code invalid} (a field missing), {@code unsupported} (not an event the node knows)</td></tr>
 * <tr><td>{@value #EVENTS_REORDERED}</td><td>counter</td><td>node</td>
 *     <td>events that arrived ahead of a missing one and were forwarded in order once it came, within the reorder
 *     window</td></tr>
 * <tr><td>{@value #GAPS}</td><td>counter</td><td>node</td>
 *     <td>gaps in an auction's sequence not filled within the reorder window: the node resynchronised from a
 *     snapshot (or, with no subscriber, skipped the gap)</td></tr>
 * <tr><td>{@value #SNAPSHOT_FAILURES}</td><td>counter</td><td>node</td>
 *     <td>snapshot fetches that failed or timed out</td></tr>
 * <tr><td>{@value #CLIENT_ERRORS}</td><td>counter</td><td>node, reason</td>
 *     <td>bad client messages, each answered with an {@code Error} frame: {@code malformed}, {@code unknown-field},
 *     {@code invalid-auction-id}, {@code too-long}, {@code binary}, {@code too-many-subscriptions}</td></tr>
 * <tr><td>{@value #UPGRADES_REFUSED}</td><td>counter</td><td>node, reason</td>
 *     <td>websocket upgrades refused: {@code unauthorized} (401), {@code node-full}, {@code address-full},
 *     {@code closing} (503)</td></tr>
 * </table>
 */
public final class WebSocketMeters {
    /** Open sessions. */
    public static final String SESSIONS = "auction.ws.sessions";
    /** Event frames written. */
    public static final String FANNED_OUT = "auction.ws.events.fanned.out";
    /** Event creation to frame written. */
    public static final String FANOUT_LAG = "auction.ws.fanout.lag";
    /** Sessions closed for being too slow. */
    public static final String SLOW_CLIENT_DISCONNECTS = "auction.ws.slow.client.disconnects";
    /** Events not forwarded. */
    public static final String EVENTS_DROPPED = "auction.ws.events.dropped";
    /** Events put back in order. */
    public static final String EVENTS_REORDERED = "auction.ws.events.reordered";
    /** Gaps resynchronised. */
    public static final String GAPS = "auction.ws.gaps";
    /** Failed snapshot fetches. */
    public static final String SNAPSHOT_FAILURES = "auction.ws.snapshot.failures";
    /** Bad client messages. */
    public static final String CLIENT_ERRORS = "auction.ws.client.errors";
    /** Refused upgrades. */
    public static final String UPGRADES_REFUSED = "auction.ws.upgrades.refused";

    /** Tag: the node's configured name. */
    public static final String TAG_NODE = "node";
    /** Tag: why an event was dropped, a client message refused or an upgrade refused. */
    public static final String TAG_REASON = "reason";
    /** Tag: the kind of event frame. */
    public static final String TAG_TYPE = "type";

    private WebSocketMeters() {
    }
}
