package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.loadgen.LoadgenCommand;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The auction cluster's command line, the {@code Main-Class} of {@code auction.jar}:
 * {@code java -jar auction.jar api|worker|ws|all|loadgen|send [options]}, {@code --help} on each. Every option can
 * also be set by an environment variable ({@code AUCTION_…}, named in each option's description), so containers are
 * configured by their environment.
 *
 * <table>
 * <caption>Roles</caption>
 * <tr><th>role</th><th>what it runs</th></tr>
 * <tr><td>{@code all}</td><td>the whole cluster in one JVM, with bidding bots ({@link AllCommand})</td></tr>
 * <tr><td>{@code api}</td><td>the API and the page ({@link ApiCommand})</td></tr>
 * <tr><td>{@code worker}</td><td>one worker ({@link WorkerCommand})</td></tr>
 * <tr><td>{@code ws}</td><td>one websocket node ({@link WsCommand})</td></tr>
 * <tr><td>{@code send}</td><td>one command from the console ({@link SendCommand})</td></tr>
 * <tr><td>{@code loadgen}</td><td>the load generator ({@link LoadgenCommand})</td></tr>
 * </table>
 */
@Command(name = "auction.jar", mixinStandardHelpOptions = true, version = "Trench auction cluster 0.1.0-SNAPSHOT",
        description = {"The Trench auction cluster: an API, workers and websocket nodes around a command bus.",
            "Run 'all' for everything in one JVM (http://localhost:8080/), or the roles separately."},
        subcommands = {AllCommand.class, ApiCommand.class, WorkerCommand.class, WsCommand.class, SendCommand.class,
            LoadgenCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Every option can also be set by an environment variable (AUCTION_...), named in the option's"
                + " description; 'java -jar auction.jar ROLE --help' lists them."})
public final class AuctionCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing the role: all, api, worker, ws, send or loadgen");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every role registered, printing an error without a stack trace when a role fails. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new AuctionCli());
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getCommandName() + ": " + message(error));
            err.flush();
            return 1;
        });
        return cli;
    }

    private static String message(@Nullable Throwable error) {
        if (error == null) {
            return "failed";
        }
        StringBuilder sb = new StringBuilder(error.getMessage() == null ? error.toString() : error.getMessage());
        Throwable cause = error.getCause();
        if (cause != null && cause.getMessage() != null && !sb.toString().contains(cause.getMessage())) {
            sb.append(" (").append(cause.getMessage()).append(')');
        }
        return sb.toString();
    }
}
