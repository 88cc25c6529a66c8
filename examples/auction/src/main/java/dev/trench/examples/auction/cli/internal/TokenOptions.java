package dev.trench.examples.auction.cli.internal;

import dev.trench.examples.auction.api.SessionTokens;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --token-key} and {@code --token-ttl}: the session tokens shared by the API and the websocket nodes. */
public final class TokenOptions {
    @Option(names = "--token-key", defaultValue = "${env:AUCTION_TOKEN_KEY:-}", paramLabel = "SECRET",
            description = "HMAC-SHA256 key of the session tokens, at least 16 bytes; the API and every websocket node"
                    + " must share it. Env AUCTION_TOKEN_KEY.")
    String key;

    @Option(names = "--token-ttl", defaultValue = "${env:AUCTION_TOKEN_TTL:-PT12H}", paramLabel = "DURATION",
            description = "How long a session token stays valid (ISO-8601). Env AUCTION_TOKEN_TTL."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    /** The key given, or {@code null}. */
    public String key() {
        return key == null || key.isBlank() ? null : key;
    }

    /** The token lifetime. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * The tokens, with the key required.
     *
     * @throws ParameterException naming the option when the key is missing or too short
     */
    public SessionTokens require(CommandSpec spec) {
        if (key() == null) {
            throw new ParameterException(spec.commandLine(), "Missing --token-key (env AUCTION_TOKEN_KEY): the API"
                    + " and every websocket node must share the session tokens' key (at least "
                    + SessionTokens.MIN_KEY_BYTES + " bytes)");
        }
        try {
            return new SessionTokens(key, ttl, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --token-key/--token-ttl: " + e.getMessage());
        }
    }
}
