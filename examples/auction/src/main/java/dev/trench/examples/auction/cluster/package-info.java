/**
 * Roles composed from the others: the {@code ws} role ({@link dev.trench.examples.auction.cluster.WebSocketRole}: a
 * websocket node fed by a ZeroMQ subscriber) and the {@code all} role
 * ({@link dev.trench.examples.auction.cluster.EmbeddedCluster}: API, two workers, two websocket nodes and the demo in
 * one JVM, over the real transports).
 */
package dev.trench.examples.auction.cluster;
