package dev.trench.examples.auction.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.examples.auction.cli.AllCommand;
import dev.trench.examples.auction.support.Http;
import dev.trench.examples.auction.support.Threads;
import dev.trench.examples.auction.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code all} role in process, on ports chosen by the test (free ones), from its own command line. */
class AllRoleTest {

    @Test
    void theAllRoleCarriesBidsFromTheApiToEveryWebsocketNodeAndStopsLeavingNoThreadBehind() throws Exception {
        Set<Thread> before = Threads.nonDaemon();
        AllCommand all = new AllCommand();
        new CommandLine(all).parseArgs("--api-port", "0", "--worker-ports", "0,0", "--ws-ports", "0,0",
                "--ws-event-ports", "0,0", "--demo-auctions", "2", "--demo-bid-interval", "PT0.2S");

        try (EmbeddedCluster cluster = EmbeddedCluster.start(all.config())) {
            assertThat(cluster.workers()).hasSize(2);
            assertThat(cluster.wsNodes()).hasSize(2);
            Http http = new Http(cluster.apiPort());
            List<String> announced = new ArrayList<>();
            http.get("/config").json().path("websockets").forEach(u -> announced.add(u.asText()));
            assertThat(announced).containsExactly("ws://localhost:" + cluster.wsNodes().get(0).port() + "/ws",
                    "ws://localhost:" + cluster.wsNodes().get(1).port() + "/ws");
            assertThat(cluster.apiUrl()).isEqualTo("http://localhost:" + cluster.apiPort() + "/");
            await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/auctions").json().size() == 2);

            JsonNode alice = http.session("alice");
            String token = alice.path("token").asText();
            try (WsClient first = WsClient.connect(cluster.wsNodes().get(0).port(), token);
                 WsClient second = WsClient.connect(cluster.wsNodes().get(1).port(), null)) {
                assertThat(first.subscribe("demo-1").path("type").asText()).isEqualTo("Snapshot");
                assertThat(second.subscribe("demo-1").path("type").asText()).isEqualTo("Snapshot");

                JsonNode botBid = second.next(f -> f.path("type").asText().equals("AuctionRaised"));
                assertThat(botBid.path("userId").asText()).as("the demo's bots bid").startsWith("bot-");

                Http.Answer bid = http.post("/auctions/demo-1/bids", "{\"amount\": \"1000.00\"}", token);
                assertThat(bid.status()).as(bid.body()).isEqualTo(202);

                String userId = alice.path("userId").asText();
                for (WsClient client : List.of(first, second)) {
                    JsonNode mine = client.next(f -> f.path("type").asText().equals("AuctionRaised")
                            && f.path("userId").asText().equals(userId));
                    assertThat(mine.path("amount").asText()).isEqualTo("1000.00");
                    assertThat(mine.path("auctionId").asText()).isEqualTo("demo-1");
                }
            }
        }

        await().atMost(Duration.ofSeconds(20)).pollInSameThread()
                .untilAsserted(() -> assertThat(Threads.nonDaemonStartedSince(before))
                        .as("non-daemon threads left after the cluster stopped").isEmpty());
    }
}
