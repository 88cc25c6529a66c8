package dev.trench.examples.auction.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.testkit.RecordingEventPublisher;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.examples.auction.store.Auction;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.support.Ports;
import dev.trench.examples.auction.worker.WorkerNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code send} role against a worker started by the test, through the same bus and transport as the API. */
class SendCommandTest {
    private static final Pattern COMMAND_ID = Pattern.compile("command ([0-9a-f-]{36}): ");

    private final InMemoryAuctionStore store = new InMemoryAuctionStore();
    private final RecordingEventPublisher events = new RecordingEventPublisher();
    private WorkerNode worker;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startAWorker() {
        worker = WorkerNode.builder().name("send-test").host("127.0.0.1").port(0).store(store).publisher(events)
                .start();
    }

    @AfterEach
    void stop() {
        worker.close();
    }

    private int run(String... args) {
        CommandLine cli = AuctionCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String workers() {
        return "127.0.0.1:" + worker.port();
    }

    @Test
    void openAuctionThenRaiseBidAreAcceptedAndHandledByTheWorker() {
        int opened = run("send", "open-auction", "--workers", workers(), "--auction", "S1", "--title", "Lamp",
                "--starting-price", "10", "--min-increment", "0.50", "--ends-in", "PT10M");

        assertThat(opened).as(err.toString()).isZero();
        assertThat(out.toString()).contains("OpenAuction[auctionId=S1", "accepted by auction-worker at " + workers());
        await().atMost(Duration.ofSeconds(5)).until(() -> store.find("S1").isPresent());

        out.getBuffer().setLength(0);
        int bid = run("send", "raise-bid", "--auction", "S1", "--amount", "12.50", "--user", "alice", "--workers",
                workers());

        assertThat(bid).as(err.toString()).isZero();
        Matcher id = COMMAND_ID.matcher(out.toString());
        assertThat(id.find()).as(out.toString()).isTrue();
        assertThat(out.toString()).contains("accepted by auction-worker at " + workers());
        await().atMost(Duration.ofSeconds(5)).until(() -> !events.events().isEmpty());
        EventEnvelope<?> raised = events.events().get(0);
        assertThat(raised.event()).isEqualTo(new AuctionRaised("S1", new BigDecimal("12.50"), "alice", 1,
                ((AuctionRaised) raised.event()).at()));
        assertThat(raised.causationId()).as("the printed command id is the one handled").isEqualTo(
                MessageId.parse(id.group(1)));
        Auction s1 = store.find("S1").orElseThrow();
        assertThat(s1.leader()).isEqualTo("alice");
    }

    @Test
    void anInvalidCommandPrintsTheFieldAndExitsWith2() {
        assertThat(run("send", "raise-bid", "--workers", workers(), "--auction", "S1", "--amount", "-1", "--user",
                "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid amount: must be positive, was -1");

        assertThat(run("send", "raise-bid", "--workers", workers(), "--auction", "S1", "--amount", "1.00"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("invalid userId: is required");

        assertThat(run("send", "raise-bid", "--workers", workers(), "--auction", "S1", "--amount", "ten",
                "--user", "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("--amount");
    }

    @Test
    void whenNoWorkerAcceptsItPrintsTheErrorAndExitsWith1() {
        int status = run("send", "raise-bid", "--workers", "127.0.0.1:" + Ports.unused(), "--auction", "S1",
                "--amount", "12.50", "--user", "alice");

        assertThat(status).isEqualTo(1);
        assertThat(out.toString()).containsPattern(COMMAND_ID.pattern());
        assertThat(err.toString()).contains("not accepted: HttpSendException", "auction-worker");
    }

    @Test
    void sendWithoutACommandIsAUsageError() {
        assertThat(run("send", "--workers", workers())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing the command to send: raise-bid or open-auction");
    }
}
