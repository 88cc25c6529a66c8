package dev.trench.examples.auction.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.transport.zmq.ZmqTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTargetsTest {

    @Test
    void aSingleDnsNameIsResolvedAgainAndAgain() {
        ZmqTarget target = EventTargets.parse(List.of("tcp://auction-ws:23499"));

        assertThat(target.isDns()).isTrue();
        assertThat(target.host()).isEqualTo("auction-ws");
        assertThat(target.port()).isEqualTo(23499);
    }

    @Test
    void addressesAndSeveralEntriesAreAFixedList() {
        assertThat(EventTargets.parse(List.of("tcp://127.0.0.1:23499")).fixedEndpoints())
                .containsExactly("tcp://127.0.0.1:23499");
        assertThat(EventTargets.parse(List.of("tcp://localhost:23499")).isDns()).isFalse();
        assertThat(EventTargets.parse(List.of("tcp://ws-1:23499", "tcp://ws-2:23499")).fixedEndpoints())
                .containsExactly("tcp://ws-1:23499", "tcp://ws-2:23499");
    }

    @Test
    void badEntriesAreRefusedNamingThem() {
        assertThatThrownBy(() -> EventTargets.parse(List.of("auction-ws:23499")))
                .hasMessage("ws-events: 'auction-ws:23499' must look like tcp://host:23499");
        assertThatThrownBy(() -> EventTargets.parse(List.of("tcp://ws:99999")))
                .hasMessage("ws-events: 'tcp://ws:99999' has a port outside [1, 65535]");
        assertThatThrownBy(() -> EventTargets.parse(List.of()))
                .hasMessageStartingWith("ws-events: must name at least one endpoint");
    }
}
