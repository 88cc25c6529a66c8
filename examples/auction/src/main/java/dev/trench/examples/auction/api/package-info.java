/**
 * The {@code api} role: the auction API and the web page ({@link dev.trench.examples.auction.api.ApiServer}), the
 * bus that hands commands to the workers ({@link dev.trench.examples.auction.api.ApiBus}, also used by the
 * {@code send} role and the demo's bots), the session tokens ({@link dev.trench.examples.auction.api.SessionTokens},
 * shared with the websocket nodes), the per-user bid limit ({@link dev.trench.examples.auction.api.BidRateLimiter}),
 * where the workers are ({@link dev.trench.examples.auction.api.WorkerAddresses}) and the websocket nodes' snapshot
 * source over the API ({@link dev.trench.examples.auction.api.ApiSnapshotSource}). Route handlers, request parsing and
 * the page's files live in {@code api.internal}.
 */
package dev.trench.examples.auction.api;
