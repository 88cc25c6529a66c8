package dev.trench.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandlerContext;
import dev.trench.transport.WireFixtures.AuctionRaised;
import dev.trench.transport.WireFixtures.CloseAuctions;
import dev.trench.transport.WireFixtures.RaiseBid;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeRegistryTest {

    @Test
    void looksUpBothWays() {
        TypeRegistry types = WireFixtures.registry();

        assertThat(types.command("auction.raise-bid")).contains(WireFixtures.RAISE_BID);
        assertThat(types.commandName(RaiseBid.class)).contains("auction.raise-bid");
        assertThat(types.event("auction.raised")).contains(AuctionRaised.class);
        assertThat(types.eventName(AuctionRaised.class)).contains("auction.raised");
        assertThat(types.command("auction.raised")).isEmpty();
        assertThat(types.event("auction.raise-bid")).isEmpty();
        assertThat(types.commandNames()).containsExactlyInAnyOrder("auction.raise-bid", "auction.close");
        assertThat(types.eventNames()).containsExactly("auction.raised");
    }

    @Test
    void everyProblemIsListedAtOnce() {
        CommandSpec<RaiseBid> sameClassOtherName = CommandSpec.of(RaiseBid.class, "auction.bid")
                .handler((RaiseBid c, HandlerContext<dev.trench.bus.Accepted> ctx) -> { }).build();
        CommandSpec<CloseAuctions> sameNameOtherClass = CommandSpec.of(CloseAuctions.class, "auction.raise-bid")
                .handler((CloseAuctions c, HandlerContext<Void> ctx) -> { }).build();

        assertThatThrownBy(() -> TypeRegistry.builder()
                .registerCommands(List.of(WireFixtures.RAISE_BID, sameClassOtherName, sameNameOtherClass))
                .registerEvent("auction.raise-bid", AuctionRaised.class)
                .registerEvent("auction.raised", AuctionRaised.class)
                .registerEvent("auction.raised-again", AuctionRaised.class)
                .registerEvent("Auction Raised", String.class)
                .registerEvent("auction.sneaky", RaiseBid.class)
                .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1) command " + RaiseBid.class.getName()
                        + " is registered twice, as 'auction.raise-bid' and 'auction.bid'")
                .hasMessageContaining("2) type name 'auction.raise-bid' of command " + CloseAuctions.class.getName()
                        + " is already used by command " + RaiseBid.class.getName())
                .hasMessageContaining("3) type name 'auction.raise-bid' of event " + AuctionRaised.class.getName()
                        + " is already used by command")
                .hasMessageContaining("4) event " + AuctionRaised.class.getName()
                        + " is registered twice, as 'auction.raised' and 'auction.raised-again'")
                .hasMessageContaining("5) event name must be lowercase words separated by '.' or '-', was"
                        + " 'Auction Raised'")
                .hasMessageContaining("6) event 'auction.sneaky': " + RaiseBid.class.getName() + " is a Command");
    }
}
