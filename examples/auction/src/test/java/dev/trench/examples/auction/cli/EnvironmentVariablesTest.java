package dev.trench.examples.auction.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.testkit.RecordingEventPublisher;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.worker.WorkerNode;
import java.io.File;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options set only through the environment, as in a container: the {@code send} role runs in a child JVM whose
 * environment names the worker, the auction, the amount and the user, and the bid reaches the worker.
 */
class EnvironmentVariablesTest {

    @Test
    void aRoleTakesEveryOptionFromItsEnvironmentVariable(@TempDir Path dir) throws Exception {
        InMemoryAuctionStore store = new InMemoryAuctionStore();
        try (WorkerNode worker = WorkerNode.builder().name("env-test").host("127.0.0.1").port(0).store(store)
                .publisher(new RecordingEventPublisher()).start()) {
            worker.bus().dispatchAndWait(new OpenAuction("ENV", "Lamp", new BigDecimal("10.00"),
                    new BigDecimal("0.50"), Instant.now().plus(Duration.ofHours(1))));
            await().atMost(Duration.ofSeconds(5)).until(() -> store.find("ENV").isPresent());

            Path output = dir.resolve("out.txt");
            ProcessBuilder child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    AuctionCli.class.getName(), "send", "raise-bid")
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = child.environment();
            env.put("AUCTION_WORKERS", "127.0.0.1:" + worker.port());
            env.put("AUCTION_SEND_AUCTION", "ENV");
            env.put("AUCTION_SEND_AMOUNT", "11.50");
            env.put("AUCTION_SEND_USER", "from-the-environment");
            env.put("AUCTION_SEND_TIMEOUT", "PT5S");
            Process process = child.start();

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(printed).isZero();
            assertThat(printed).contains("RaiseBid[auctionId=ENV, userId=from-the-environment, amount=11.50]",
                    "accepted by auction-worker at 127.0.0.1:" + worker.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> "from-the-environment".equals(
                    store.find("ENV").orElseThrow().leader()));
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

}
