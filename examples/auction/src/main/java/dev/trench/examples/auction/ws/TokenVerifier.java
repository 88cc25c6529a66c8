package dev.trench.examples.auction.ws;

import java.util.Optional;

/**
 * Tells which user a session token belongs to. A websocket client presents its token as {@code /ws?token=…}; a
 * verified token lets the session receive its own user's {@code BidRejected} events. The API issues the tokens (HMAC
 * signed, with an expiry); the node only checks them.
 *
 * <p>Called on a Netty I/O thread during the upgrade: it must be fast and must not block (an HMAC check is fine, a
 * network call is not).
 */
@FunctionalInterface
public interface TokenVerifier {

    /**
     * The user the token was issued to.
     *
     * @param token the token as the client sent it, never blank
     * @return the user id, or empty when the token is malformed, forged or expired (the upgrade is refused with 401)
     */
    Optional<String> userOf(String token);

    /** A verifier that accepts no token at all: clients may only watch anonymously. */
    static TokenVerifier refuseAll() {
        return token -> Optional.empty();
    }
}
