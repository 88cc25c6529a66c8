/**
 * The load generator of the auction cluster: {@link dev.trench.examples.auction.loadgen.LoadGenerator} (the run, its
 * {@code Options} and {@code Result}) and {@link dev.trench.examples.auction.loadgen.LoadgenCommand} (the
 * {@code loadgen} role's command line). The HTTP and websocket clients and the books live in {@code loadgen.internal}.
 *
 * <h2>A run</h2>
 * <ol>
 *   <li><b>Auctions.</b> It opens {@code M} auctions with fresh ids ({@code lg-<run>-1} …) through
 *       {@code POST /auctions} (starting price, increment, ending an hour after the run) and waits until
 *       {@code GET /auctions/{id}} knows each one; or, with {@code reuseAuctions}, reads existing ones (valid bids
 *       start at their {@code minimumNextBid} and step by their {@code minIncrement}; when the API does not give
 *       them, at the highest plus {@code increment}, or {@code startingPrice} without bids).</li>
 *   <li><b>Bidders.</b> It opens {@code B} sessions through {@code POST /session}, as a browser does.</li>
 *   <li><b>Clients.</b> It connects {@code N} websocket clients (Netty), client {@code i} to node
 *       {@code i mod W} of the {@code W} websocket URLs, with the token of bidder {@code i mod B} ({@code B <= N}, so
 *       every bidder has a client that receives its {@code BidRejected} frames), subscribed to {@code K} auctions:
 *       {@code (i div W) mod M} and the {@code K-1} after it. So each auction's subscribers are spread over the nodes.
 *       A subscription is <em>confirmed</em> by its first frame (the node's {@code Snapshot}); the bids start when
 *       every client is connected and confirmed, and the setup fails otherwise.</li>
 *   <li><b>Bids.</b> {@code T = rate × (warmup + duration)} bids, bid {@code n} due {@code n / rate} seconds after the
 *       start (a pacer tick every 2 ms sends what is due: an open loop, a slow answer never delays the next bid). Bid
 *       {@code n} goes to auction {@code n mod M} by bidder {@code (n div M) mod B}. Exactly
 *       {@code floor(T × invalidShare)} of them are invalid, evenly spread, alternating <em>too low</em>
 *       ({@code 0.01}: well-formed, acked, to be refused by a worker with {@code BidRejected}) and
 *       <em>malformed</em> (not a number, negative, three decimals, no amount: to be answered 400). Valid bids of an
 *       auction rise by exactly its increment, each above the previous one (a valid bid overtaken on the way by the
 *       next one may still be refused as too low: counted as {@code rejected_valid}, not as an error).</li>
 *   <li><b>Drain.</b> After the last bid's answer it waits, up to {@code drainTimeout}, until every acked bid has an
 *       outcome seen by a client and every client has every frame up to the highest sequence number shown. Then it
 *       reads each auction's final {@code seq} from {@code GET /auctions/{id}} (waiting again, within the same
 *       timeout, if that reveals sequence numbers no client has seen yet).</li>
 * </ol>
 *
 * <h2>Matching frames to bids</h2>
 * A bid's 202 carries its command id, but an {@code AuctionRaised} frame carries the auction, amount, bidder and
 * sequence number. Valid amounts strictly rise per auction, so (auction, amount) names at most one bid: frames are
 * matched by it (amounts compared as decimals). A {@code BidRejected} frame carries the command id and is matched by
 * it, whichever of the frame and the 202 arrives first.
 *
 * <h2>The RESULT line</h2>
 * One line, last: {@code RESULT} and these pairs, in this order.
 * <dl>
 *   <dt>{@code bids_sent}</dt><dd>bid POSTs started.</dd>
 *   <dt>{@code bids_acked}</dt><dd>bids the API answered 2xx (202: a worker took it). A 429 (the bidder's rate
 *       limit) or a 503 (overload) is not acked and not an error of delivery; both are on the progress and
 *       {@code DETAILS} lines ({@code throttled}, {@code unavailable}).</dd>
 *   <dt>{@code bids_rejected}</dt><dd>bids refused on their merits, valid or not: answered 400/404/409/422 by the
 *       API, or acked and then named (by command id) in a {@code BidRejected} frame at one of the bidder's clients.
 *       {@code DETAILS} splits it into {@code rejected_invalid} (should equal the invalid bids not throttled) and
 *       {@code rejected_valid}.</dd>
 *   <dt>{@code ws_clients}</dt><dd>clients connected with every subscription confirmed (all {@code N}, or the setup
 *       failed).</dd>
 *   <dt>{@code frames_expected}</dt><dd>per client and auction it watched, the accepted sequence numbers after the
 *       one it was confirmed at: {@code top - base}, where {@code top} is the auction's last accepted sequence number
 *       (the highest of its final {@code GET} and of every frame shown to any client). With fresh auctions and no
 *       other bidder, that is: for every accepted bid, the number of clients subscribed to its auction.</dd>
 *   <dt>{@code frames_received}</dt><dd>of those, the ones the client received as an {@code AuctionRaised} frame,
 *       each counted once. Only {@code AuctionRaised} counts: a {@code Snapshot} the node sends after a gap moves the
 *       client forward but fills no gap.</dd>
 *   <dt>{@code lost}</dt><dd>{@code frames_expected - frames_received}: accepted sequence numbers a client never
 *       received as an {@code AuctionRaised} before the drain ended (including the frames of a client disconnected
 *       during the run).</dd>
 *   <dt>{@code duplicates}</dt><dd>{@code AuctionRaised} frames a client received for an (auction, seq) it already
 *       had (or for the seq it was confirmed at). A duplicate is not also counted as reordered.</dd>
 *   <dt>{@code reordered}</dt><dd>{@code AuctionRaised} frames a client received with a seq lower than one it had
 *       already been shown for that auction (by an {@code AuctionRaised} or a {@code Snapshot}). A late frame above
 *       the base is reordered and also received.</dd>
 *   <dt>{@code p50_ms}, {@code p99_ms}, {@code max_ms}</dt><dd>latency from the start of the bid's POST to the
 *       arrival of its {@code AuctionRaised} at a client, one sample per client receiving it, bids of the warmup
 *       excepted (HdrHistogram,
 *       microseconds, 3 significant digits; printed in milliseconds with three decimals; 0 without samples).</dd>
 * </dl>
 * A run <em>passes</em> (exit status 0) when bids were sent and acked and nothing was lost, reordered or duplicated,
 * and no invalid bid was accepted; otherwise 1. A failed setup exits 2 without a {@code RESULT} line.
 *
 * <h2>Why Netty for the websocket clients</h2>
 * Both the JDK's {@code java.net.http.WebSocket} and Netty's client hold 2,000 connections on this 2-core machine.
 * What decides is the CPU each received frame costs, because the generator shares the cores with the cluster it
 * measures: 2,000 clients subscribed to one bare Netty broadcast server (another process), 20 and 30 events a second
 * for 20 s, frames parsed the same way, four paired runs: Netty 8.9 to 11.1 µs of process CPU per frame, the JDK's
 * 9.9 to 13.3 µs, Netty cheaper in every pair (10 to 30 %). The JDK's client also serves all its sockets from one
 * selector thread and hands each message over through a {@code CompletableFuture} and a demand protocol. So the
 * clients are Netty's (the same codec as the nodes), on {@code ioThreads} event loops with pooled buffers, and frames
 * are read with Jackson's streaming parser.
 */
package dev.trench.examples.auction.loadgen;
