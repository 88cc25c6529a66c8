/**
 * The command line of {@code auction.jar} (picocli): {@link dev.trench.examples.auction.cli.AuctionCli} and one
 * command per role. Every option has an {@code AUCTION_…} environment variable as its default.
 */
package dev.trench.examples.auction.cli;
