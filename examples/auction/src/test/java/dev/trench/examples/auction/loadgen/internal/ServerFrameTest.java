package dev.trench.examples.auction.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading the node's frames. */
class ServerFrameTest {

    private static ServerFrame parse(String json) throws IOException {
        return ServerFrame.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAnAuctionRaised() throws Exception {
        ServerFrame f = parse("{\"type\":\"AuctionRaised\",\"auctionId\":\"A1\",\"amount\":\"12.50\","
                + "\"userId\":\"alice\",\"seq\":7,\"at\":\"2025-01-01T00:00:00Z\"}");

        assertThat(f.type()).isEqualTo(ServerFrame.Type.AUCTION_RAISED);
        assertThat(f.auctionId()).isEqualTo("A1");
        assertThat(f.amount()).isEqualByComparingTo(new BigDecimal("12.5"));
        assertThat(f.userId()).isEqualTo("alice");
        assertThat(f.seq()).isEqualTo(7);
    }

    @Test
    void readsASnapshotWithoutBidsAndSkipsUnknownNestedFields() throws Exception {
        ServerFrame f = parse("{\"type\":\"Snapshot\",\"auctionId\":\"A1\",\"title\":\"t\",\"highest\":null,"
                + "\"leader\":null,\"extra\":{\"seq\":99,\"list\":[1,2]},\"seq\":0,\"status\":\"open\"}");

        assertThat(f.type()).isEqualTo(ServerFrame.Type.SNAPSHOT);
        assertThat(f.seq()).isZero();
        assertThat(f.amount()).isNull();
    }

    @Test
    void readsABidRejectedAndAnError() throws Exception {
        ServerFrame r = parse("{\"type\":\"BidRejected\",\"auctionId\":\"A1\",\"amount\":\"0.01\","
                + "\"reason\":\"bid-too-low\",\"message\":\"m\",\"commandId\":\"c-1\"}");
        ServerFrame e = parse("{\"type\":\"Error\",\"reason\":\"malformed\",\"message\":\"m\"}");

        assertThat(r.type()).isEqualTo(ServerFrame.Type.BID_REJECTED);
        assertThat(r.commandId()).isEqualTo("c-1");
        assertThat(r.reason()).isEqualTo("bid-too-low");
        assertThat(e.type()).isEqualTo(ServerFrame.Type.ERROR);
        assertThat(e.reason()).isEqualTo("malformed");
        assertThat(parse("{\"type\":\"Hello\"}").type()).isEqualTo(ServerFrame.Type.OTHER);
    }

    @Test
    void refusesWhatIsNotAFrame() {
        assertThatThrownBy(() -> parse("[1]")).isInstanceOf(IOException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> parse("{\"seq\":\"7\"}")).isInstanceOf(IOException.class)
                .hasMessage("seq is not an integer");
        assertThatThrownBy(() -> parse("{\"amount\":\"lots\"}")).isInstanceOf(IOException.class)
                .hasMessage("amount is not a decimal: lots");
        assertThatThrownBy(() -> parse("{\"type\":")).isInstanceOf(IOException.class);
    }
}
