/**
 * The websocket node of the auction cluster: {@link dev.trench.examples.auction.ws.WebSocketNode} (the server, in the
 * manner of Netty's {@code WebSocketServer}), its settings {@link dev.trench.examples.auction.ws.WebSocketNodeConfig},
 * the two things it is given ({@link dev.trench.examples.auction.ws.TokenVerifier},
 * {@link dev.trench.examples.auction.ws.SnapshotSource}) and its meters
 * ({@link dev.trench.examples.auction.ws.WebSocketMeters}). The pipeline, the frame handler and the per-auction state
 * live in {@code ws.internal}.
 *
 * <h2>Per-auction ordering and its races</h2>
 * Each auction's state (last sequence number forwarded, latest known state, subscribers, events held behind a gap,
 * the snapshot fetch in flight) is owned by one single-threaded executor, chosen by the hash of the auction id among
 * {@code fanoutThreads}. Everything that changes it is a task on that executor: an event from {@code accept}, a
 * subscribe or unsubscribe from a session's I/O thread, a snapshot fetch completing (on whatever thread the
 * {@code SnapshotSource} completes it, then hopping over), the reorder timer and the fetch timeout. So there is no
 * lock, and the classic race (events arriving while a snapshot is being fetched) is decided in one order:
 * <ul>
 *   <li>a gap's events are held, not forwarded, until the gap fills or the snapshot arrives; the snapshot then moves
 *       {@code last} up, events it covers are dropped as stale, later ones are forwarded in order;</li>
 *   <li>a new subscriber waiting for its first snapshot is sent no events meanwhile; when the snapshot comes it gets
 *       the state at {@code last} (the snapshot, with the newest forwarded event applied when the snapshot is older),
 *       and from then on only events after it;</li>
 *   <li>a snapshot that answers after its timeout (or after a newer fetch began) is recognised by its generation
 *       number and ignored.</li>
 * </ul>
 * Sessions never share this executor's work: fanning out is putting the frame (encoded once) into each session's
 * bounded queue; the session's own I/O thread writes it.
 */
package dev.trench.examples.auction.ws;
