/**
 * The {@code worker} role: {@link dev.trench.examples.auction.worker.WorkerNode} (HTTP command endpoint with
 * acknowledgement, Guice-built bus, ZeroMQ event publisher), its Guice module
 * {@link dev.trench.examples.auction.worker.WorkerModule}, and the worker-side middleware
 * {@link dev.trench.examples.auction.worker.BidRejectionNotifier} that reports refused bids to their bidders.
 */
package dev.trench.examples.auction.worker;
