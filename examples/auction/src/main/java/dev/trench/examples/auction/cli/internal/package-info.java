/** Options shared by several roles (store, tokens), address parsing, and the wait-for-shutdown of a role. */
package dev.trench.examples.auction.cli.internal;
