package dev.trench.examples.auction.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: options, their environment variables and durations. */
class LoadgenCommandTest {

    @Test
    void optionsReachTheGenerator() {
        LoadgenCommand cmd = new LoadgenCommand();
        new CommandLine(cmd).parseArgs("--api", "http://api:9000", "--ws", "ws://a:1/ws", "--ws", "ws://b:2/ws,ws://c:3/ws",
                "--clients", "2000", "--auctions", "3", "--rate", "250", "--duration", "PT30S", "--warmup", "5s", "--invalid-share",
                "0.25", "--bidders", "40", "--increment", "0.50", "--drain-timeout", "1500ms", "--io-threads", "3",
                "--subscriptions-per-client", "2");

        LoadGenerator.Options o = cmd.options();

        assertThat(o.api()).isEqualTo(URI.create("http://api:9000"));
        assertThat(o.websockets()).containsExactly(URI.create("ws://a:1/ws"), URI.create("ws://b:2/ws"),
                URI.create("ws://c:3/ws"));
        assertThat(o.clients()).isEqualTo(2000);
        assertThat(o.auctions()).isEqualTo(3);
        assertThat(o.reuseAuctions()).isEmpty();
        assertThat(o.rate()).isEqualTo(250);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.totalBids()).isEqualTo(250 * 35);
        assertThat(o.warmupBids()).isEqualTo(250 * 5);
        assertThat(o.invalidShare()).isEqualTo(0.25);
        assertThat(o.bidders()).isEqualTo(40);
        assertThat(o.increment()).isEqualTo(new BigDecimal("0.50"));
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.ioThreads()).isEqualTo(3);
        assertThat(o.subscriptionsPerClient()).isEqualTo(2);
    }

    @Test
    void withoutOptionsTheDefaultsApply() {
        LoadgenCommand cmd = new LoadgenCommand();
        new CommandLine(cmd).parseArgs();

        LoadGenerator.Options defaults = LoadGenerator.Options.builder().build();
        assertThat(cmd.options()).isEqualTo(defaults.toBuilder().ioThreads(cmd.options().ioThreads()).build());
        assertThat(cmd.options().ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void reusedAuctionsAreReadFromACommaList() {
        LoadgenCommand cmd = new LoadgenCommand();
        new CommandLine(cmd).parseArgs("--reuse-auctions", "A1,A2", "--subscriptions-per-client", "2");

        assertThat(cmd.options().reuseAuctions()).containsExactly("A1", "A2");
    }

    @Test
    void helpNamesTheEnvironmentVariableOfEveryOption() {
        String help = new CommandLine(new LoadgenCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);

        for (String env : new String[] {"API", "WS", "CLIENTS", "AUCTIONS", "REUSE_AUCTIONS",
            "SUBSCRIPTIONS_PER_CLIENT", "RATE", "DURATION", "WARMUP", "INVALID_SHARE", "BIDDERS", "STARTING_PRICE", "INCREMENT",
            "CONNECT_TIMEOUT", "REQUEST_TIMEOUT", "SETUP_TIMEOUT", "DRAIN_TIMEOUT", "IO_THREADS"}) {
            assertThat(help).contains("AUCTION_LOADGEN_" + env);
        }
        assertThat(help).startsWith("Usage: loadgen");
    }

    @Test
    void invalidOptionsExitWith2AndNameTheProblems() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LoadgenCommand());
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("--rate", "0", "--clients", "1", "--bidders", "2");

        assertThat(exit).isEqualTo(LoadgenCommand.EXIT_SETUP);
        assertThat(err.toString()).contains("1. rate: must be at least 1 bid per second, was 0",
                "2. bidders: must be between 1 and clients (1)");
    }

    @Test
    void durationsReadShortFormsAndIso8601() {
        LoadgenCommand.DurationConverter c = new LoadgenCommand.DurationConverter();

        assertThat(c.convert("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(c.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.convert("15")).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.convert("PT20S")).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.convert("pt1m")).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("expected a duration such as 20s, 500ms, 2m or PT20S, was 'soon'");
    }
}
