package dev.trench.transport.http.internal;

/**
 * An answer a worker endpoint sent to the sender, read in full.
 *
 * @param status the HTTP status code
 * @param body   the body bytes
 */
public record ClientResponse(int status, byte[] body) {
}
