package dev.trench.examples.auction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
    private static final String KEY = "a-shared-key-of-32-bytes-or-more!";
    private final ManualClock clock = new ManualClock();
    private final SessionTokens tokens = new SessionTokens(KEY, Duration.ofHours(1), clock);

    @Test
    void anIssuedTokenNamesItsUser() {
        SessionTokens.IssuedToken issued = tokens.issue("alice-1a2b");

        assertThat(tokens.userOf(issued.token())).contains("alice-1a2b");
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void anotherInstanceWithTheSameKeyAcceptsTheToken() {
        String token = tokens.issue("bob").token();

        SessionTokens websocketNode = new SessionTokens(KEY, Duration.ofMinutes(5), clock);

        assertThat(websocketNode.userOf(token)).contains("bob");
    }

    @Test
    void aTokenExpiresAfterItsLifetime() {
        String token = tokens.issue("alice").token();

        clock.advance(Duration.ofMinutes(59));
        assertThat(tokens.userOf(token)).contains("alice");
        clock.advance(Duration.ofMinutes(1));
        assertThat(tokens.userOf(token)).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() {
        String foreign = new SessionTokens("another-key-of-enough-length!!", Duration.ofHours(1), clock)
                .issue("alice").token();

        assertThat(tokens.userOf(foreign)).isEmpty();
    }

    @Test
    void aTokenWhoseUserWasChangedIsRefused() {
        String token = tokens.issue("alice").token();
        String signature = token.substring(token.indexOf('.') + 1);
        long expiry = clock.instant().plus(Duration.ofHours(1)).getEpochSecond();
        String forgedPayload = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("v1|mallory|" + expiry).getBytes(StandardCharsets.UTF_8));

        assertThat(tokens.userOf(forgedPayload + "." + signature)).isEmpty();
    }

    @Test
    void aTokenWithOneSignatureCharacterChangedIsRefused() {
        String token = tokens.issue("alice").token();
        char last = token.charAt(token.length() - 1);
        String forged = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThat(tokens.userOf(forged)).isEmpty();
    }

    @Test
    void malformedTokensAreRefused() {
        String valid = tokens.issue("alice").token();

        assertThat(tokens.userOf("")).isEmpty();
        assertThat(tokens.userOf("no-dot-at-all")).isEmpty();
        assertThat(tokens.userOf(".onlysignature")).isEmpty();
        assertThat(tokens.userOf("payload.")).isEmpty();
        assertThat(tokens.userOf(valid + ".extra")).isEmpty();
        assertThat(tokens.userOf("!!!.###")).isEmpty();
        assertThat(tokens.userOf(valid + "x".repeat(SessionTokens.MAX_TOKEN_CHARS))).isEmpty();
    }

    @Test
    void aKeyShorterThanSixteenBytesIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new SessionTokens("short", Duration.ofHours(1), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenKey: must be at least 16 bytes, was 5 bytes");
    }

    @Test
    void aUserIdWithTheSeparatorCannotGetAToken() {
        assertThatThrownBy(() -> tokens.issue("alice|admin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("userId:");
    }

    @Test
    void randomKeysAreLongEnoughAndDiffer() {
        String a = SessionTokens.randomKey();
        String b = SessionTokens.randomKey();

        assertThat(a).isNotEqualTo(b);
        assertThat(a.getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(SessionTokens.MIN_KEY_BYTES);
        assertThat(new SessionTokens(a, Duration.ofMinutes(1), clock).issue("x").token()).isNotBlank();
    }
}
