/** The demo's bidding bots that keep the page alive in the {@code all} role. */
package dev.trench.examples.auction.demo;
