/** The API's route handlers, strict JSON request parsing, auction views and the page's static files. */
package dev.trench.examples.auction.api.internal;
