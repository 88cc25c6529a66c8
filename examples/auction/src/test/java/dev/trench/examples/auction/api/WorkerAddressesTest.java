package dev.trench.examples.auction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerAddressesTest {

    @Test
    void aSingleDnsNameMeansEveryAddressBehindIt() {
        WorkerAddresses a = WorkerAddresses.parse(List.of("http://auction-worker:8090"));

        assertThat(a.dnsName()).isEqualTo("auction-worker");
        assertThat(a.dnsPort()).isEqualTo(8090);
        assertThat(a.senderConfig().build().dnsName()).isEqualTo("auction-worker");
    }

    @Test
    void ipLiteralsLocalhostAndSeveralEntriesAreAFixedList() {
        assertThat(WorkerAddresses.parse(List.of("127.0.0.1:8090")).endpoints()).containsExactly("127.0.0.1:8090");
        assertThat(WorkerAddresses.parse(List.of("localhost:8090")).dnsName()).isNull();
        assertThat(WorkerAddresses.parse(List.of("w1:8090", "http://w2:8091")).endpoints())
                .containsExactly("w1:8090", "w2:8091");
    }

    @Test
    void theSenderRoutesBothCommandsByAuction() {
        var config = WorkerAddresses.parse(List.of("127.0.0.1:8090")).senderConfig().build();

        assertThat(config.routingKey(new dev.trench.examples.auction.raisebid.RaiseBid("A7", "alice",
                new java.math.BigDecimal("1.00")))).isEqualTo("A7");
    }

    @Test
    void badEntriesAreRefusedNamingThem() {
        assertThatThrownBy(() -> WorkerAddresses.parse(List.of("worker")))
                .hasMessage("workers: 'worker' must be host:port");
        assertThatThrownBy(() -> WorkerAddresses.parse(List.of("worker:http")))
                .hasMessage("workers: 'worker:http' must end with a numeric port");
        assertThatThrownBy(() -> WorkerAddresses.parse(List.of("ftp://worker:21")))
                .hasMessageContaining("must be host:port or http://host:port");
        assertThatThrownBy(() -> WorkerAddresses.parse(List.of(" ")))
                .hasMessageStartingWith("workers: must name at least one worker endpoint");
    }
}
