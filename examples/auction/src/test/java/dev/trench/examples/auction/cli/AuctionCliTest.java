package dev.trench.examples.auction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.examples.auction.cluster.EmbeddedClusterConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The command line: roles, {@code --help} on each, and every option's environment variable. */
class AuctionCliTest {
    /** {@code ${env:AUCTION_NAME}} or {@code ${env:AUCTION_NAME:-default}}. */
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(AUCTION_[A-Z0-9_]+)(?::-(.*))?}");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = AuctionCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "api", "worker", "ws", "send", "send raise-bid", "send open-auction"})
    void everyRoleHasHelpListingEachOptionWithItsEnvironmentVariable(String role) {
        List<String> args = new ArrayList<>(List.of(role.split(" ")));
        args.add("--help");

        assertThat(run(args.toArray(String[]::new))).isZero();

        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).startsWith("Usage: auction.jar " + role);
        CommandLine command = uninterpolated();
        for (String part : role.split(" ")) {
            command = command.getSubcommands().get(part);
        }
        for (OptionSpec option : ownOptions(command.getCommandSpec())) {
            Matcher env = ENV_DEFAULT.matcher(option.defaultValue());
            assertThat(env.matches()).isTrue();
            String shown = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
            assertThat(help).contains(shown).contains("Env " + env.group(1));
        }
    }

    @Test
    void everyOptionOfEveryCommandDefaultsToAnAuctionEnvironmentVariable() {
        List<String> checked = new ArrayList<>();
        walk(uninterpolated(), command -> {
            for (OptionSpec option : ownOptions(command.getCommandSpec())) {
                String where = command.getCommandSpec().qualifiedName() + " " + option.longestName();
                assertThat(option.defaultValue()).as(where).isNotNull();
                Matcher env = ENV_DEFAULT.matcher(option.defaultValue());
                assertThat(env.matches()).as(where + " default " + option.defaultValue()).isTrue();
                assertThat(String.join(" ", option.description())).as(where).contains("Env " + env.group(1));
                checked.add(where);
            }
        });
        assertThat(checked).hasSizeGreaterThan(40);
    }

    @Test
    void withoutAnyOptionTheAllRoleHasTheDocumentedDefaults() {
        AllCommand all = new AllCommand();
        new CommandLine(all).parseArgs();

        EmbeddedClusterConfig config = all.config();

        EmbeddedClusterConfig documented = EmbeddedClusterConfig.defaults();
        assertThat(config.apiPort()).isEqualTo(8080).isEqualTo(documented.apiPort());
        assertThat(config.workerPorts()).containsExactly(8090, 8091).isEqualTo(documented.workerPorts());
        assertThat(config.wsPorts()).containsExactly(8081, 8082).isEqualTo(documented.wsPorts());
        assertThat(config.wsEventPorts()).containsExactly(23499, 23500).isEqualTo(documented.wsEventPorts());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.tokenKey()).as("a random key is made at start").isNull();
        assertThat(config.demo()).isEqualTo(documented.demo());
    }

    @Test
    void theDemoCanBeTurnedOff() {
        AllCommand all = new AllCommand();
        new CommandLine(all).parseArgs("--no-demo");

        assertThat(all.config().demo()).isNull();
    }

    @Test
    void theTopLevelHelpListsTheRoles() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("all", "api", "worker", "ws", "send", "loadgen", "AUCTION_");
    }

    @Test
    void withoutARoleItIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing the role: all, api, worker, ws, send or loadgen");
    }

    @Test
    void theApiRefusesToStartWithoutATokenKey() {
        assertThat(run("api", "--token-key", "")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing --token-key (env AUCTION_TOKEN_KEY)");
    }

    @Test
    void theLoadGeneratorIsARoleWithItsOwnHelp() {
        assertThat(run("loadgen", "--help")).isZero();

        assertThat(out.toString()).startsWith("Usage: auction.jar loadgen");
    }

    /** The command line as declared: default values not resolved against the environment. */
    private static CommandLine uninterpolated() {
        CommandLine cli = AuctionCli.commandLine();
        cli.setInterpolateVariables(false);
        return cli;
    }

    private static List<OptionSpec> ownOptions(CommandSpec spec) {
        List<OptionSpec> own = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.inherited()) {
                continue;
            }
            own.add(o);
        }
        return own;
    }

    private static void walk(CommandLine command, java.util.function.Consumer<CommandLine> visit) {
        if (!command.getCommandName().equals("help") && !command.getCommandName().equals("loadgen")) {
            visit.accept(command);
        }
        command.getSubcommands().values().forEach(sub -> walk(sub, visit));
    }
}
