package dev.trench.examples.auction.api;

import dev.trench.examples.auction.ws.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the bidders' session tokens: the API issues one per {@code POST /session}, every bid presents it
 * ({@code Authorization: Bearer <token>}), and the websocket nodes check it on upgrade ({@code /ws?token=…}) with the
 * same key. A token carries the user id and an expiry, signed with HMAC-SHA256:
 *
 * <pre>
 * base64url("v1|" + userId + "|" + expiresAtEpochSeconds) + "." + base64url(HMAC-SHA256(key, first part))
 * </pre>
 *
 * <p>Verification recomputes the signature and compares it in constant time ({@link MessageDigest#isEqual}), then
 * checks the expiry against the clock. Any malformed, forged or expired token is simply not valid: the caller learns
 * no more than that. Thread-safe.
 */
public final class SessionTokens implements TokenVerifier {
    /** The shortest key accepted, in UTF-8 bytes. */
    public static final int MIN_KEY_BYTES = 16;
    /** The longest token looked at; longer input is refused without computing anything. */
    static final int MAX_TOKEN_CHARS = 512;
    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;
    private final ThreadLocal<Mac> macs;

    /**
     * Tokens signed with {@code key}.
     *
     * @param key   the shared secret (the API's and every websocket node's), at least {@value #MIN_KEY_BYTES} bytes
     * @param ttl   how long an issued token stays valid
     * @param clock the clock for issuing and checking expiries
     * @throws IllegalArgumentException naming the field when the key is too short or the ttl not positive
     */
    public SessionTokens(String key, Duration ttl, Clock clock) {
        Objects.requireNonNull(key, "key");
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("tokenKey: must be at least " + MIN_KEY_BYTES + " bytes, was "
                    + bytes.length + " bytes");
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("tokenTtl: must be positive, was " + ttl);
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
        this.ttl = ttl;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A fresh random key (32 bytes, base64url): for the embedded {@code all} role when none is configured. */
    public static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return B64.encodeToString(bytes);
    }

    /** How long an issued token stays valid. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Issues a token for a user, valid for {@link #ttl()} from now.
     *
     * @param userId a user id without {@code '|'}
     */
    public IssuedToken issue(String userId) {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank() || userId.indexOf('|') >= 0) {
            throw new IllegalArgumentException("userId: must be non-blank text without '|', was '" + userId + "'");
        }
        Instant expiresAt = clock.instant().plus(ttl);
        String payload = B64.encodeToString((VERSION + "|" + userId + "|" + expiresAt.getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        return new IssuedToken(userId, payload + "." + B64.encodeToString(sign(payload)), expiresAt);
    }

    /** The user of a valid token; empty when the token is malformed, forged or expired. */
    @Override
    public Optional<String> userOf(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        byte[] signature;
        byte[] decodedPayload;
        try {
            signature = B64_DECODE.decode(token.substring(dot + 1));
            decodedPayload = B64_DECODE.decode(payload);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(signature, sign(payload))) {
            return Optional.empty();
        }
        String[] parts = new String(decodedPayload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[1].isBlank()) {
            return Optional.empty();
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (clock.instant().getEpochSecond() >= expiresAt) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }

    private byte[] sign(String payload) {
        return macs.get().doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SessionTokens{HMAC-SHA256, ttl=" + ttl + "}";
    }

    /**
     * A token just issued.
     *
     * @param userId    whose it is
     * @param token     the token text
     * @param expiresAt when it stops being valid
     */
    public record IssuedToken(String userId, String token, Instant expiresAt) {
    }
}
