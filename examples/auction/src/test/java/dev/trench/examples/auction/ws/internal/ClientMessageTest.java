package dev.trench.examples.auction.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.examples.auction.ws.internal.ClientMessage.Invalid;
import dev.trench.examples.auction.ws.internal.ClientMessage.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientMessageTest {

    @Test
    void readsSubscribeAndUnsubscribe() {
        assertThat(ClientMessage.parse("{\"subscribe\": \"A1\"}")).isEqualTo(new ClientMessage.Subscribe("A1"));
        assertThat(ClientMessage.parse(" {\"unsubscribe\":\"auction-7.b_2\"} "))
                .isEqualTo(new ClientMessage.Unsubscribe("auction-7.b_2"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{                                     | MALFORMED",
            "''                                    | MALFORMED",
            "null                                  | MALFORMED",
            "\"A1\"                                | MALFORMED",
            "{}                                    | MALFORMED",
            "{\"subscribe\": \"A1\"} {}            | MALFORMED",
            "{\"subscribe\": \"A1\", \"subscribe\": \"A2\"} | MALFORMED",
            "{\"subscribe\": \"A1\", \"x\": 1}     | MALFORMED",
            "{\"Subscribe\": \"A1\"}               | UNKNOWN_FIELD",
            "{\"subscribe\": null}                 | INVALID_AUCTION_ID",
            "{\"subscribe\": [\"A1\"]}             | INVALID_AUCTION_ID",
            "{\"subscribe\": \"\"}                 | INVALID_AUCTION_ID",
            "{\"subscribe\": \"A 1\"}              | INVALID_AUCTION_ID",
            "{\"subscribe\": \"-A1\"}              | INVALID_AUCTION_ID",
    })
    void refusesAnythingElseWithAReason(String text, Reason reason) {
        assertThat(ClientMessage.parse(text)).isInstanceOfSatisfying(Invalid.class,
                invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    @Test
    void anAuctionIdMayHaveUpTo64Characters() {
        assertThat(ClientMessage.parse("{\"subscribe\": \"" + "a".repeat(64) + "\"}"))
                .isInstanceOf(ClientMessage.Subscribe.class);
        assertThat(ClientMessage.parse("{\"subscribe\": \"" + "a".repeat(65) + "\"}"))
                .isInstanceOf(Invalid.class);
    }

    @Test
    void theErrorMessageDoesNotEchoALongKey() {
        Invalid invalid = (Invalid) ClientMessage.parse("{\"" + "k".repeat(500) + "\": 1}");
        assertThat(invalid.reason()).isEqualTo(Reason.UNKNOWN_FIELD);
        assertThat(invalid.message()).hasSizeLessThan(100);
    }
}
