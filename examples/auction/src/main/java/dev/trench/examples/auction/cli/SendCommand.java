package dev.trench.examples.auction.cli;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandBus;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.examples.auction.api.ApiBus;
import dev.trench.examples.auction.api.WorkerAddresses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code auction.jar send}: the console entry. Its subcommands build one command and dispatch it through the same
 * bus and transport as the API ({@link ApiBus}: HTTP with acknowledgement to the workers), then print the command id
 * and the outcome. Exit status 0 when a worker accepted it, 1 when none did, 2 for an invalid command or option.
 */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Builds one auction command and dispatches it to the workers through the same bus and"
                + " transport as the API; prints the command id and which worker accepted it, or the error."},
        subcommands = {RaiseBidCommand.class, OpenAuctionCommand.class},
        footer = {"", "Exit status: 0 accepted by a worker, 1 not accepted, 2 invalid command or option.",
            "Every option can also be set by the environment variable named in its description."})
public final class SendCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--workers", split = ",", defaultValue = "${env:AUCTION_WORKERS:-127.0.0.1:8090}",
            paramLabel = "HOST:PORT", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The workers' command endpoints, host:port or http://host:port, comma separated; a single"
                    + " DNS name means every address behind it. Env AUCTION_WORKERS. Default: ${DEFAULT-VALUE}.")
    List<String> workers;

    @Option(names = "--timeout", defaultValue = "${env:AUCTION_SEND_TIMEOUT:-PT10S}", paramLabel = "DURATION",
            scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "How long to wait for a worker's acknowledgement. Env AUCTION_SEND_TIMEOUT."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing the command to send: raise-bid or open-auction");
    }

    /**
     * Builds the command (validation errors exit 2, naming the field), dispatches it and prints the outcome.
     *
     * @param sub the subcommand's spec, for its output streams and errors
     */
    int send(CommandSpec sub, Supplier<? extends dev.trench.bus.Command<Accepted>> build) {
        PrintWriter out = sub.commandLine().getOut();
        PrintWriter err = sub.commandLine().getErr();
        dev.trench.bus.Command<Accepted> command;
        try {
            command = build.get();
        } catch (InvalidCommandException e) {
            err.println("invalid " + e.field() + ": " + e.reason());
            err.flush();
            return 2;
        }
        WorkerAddresses addresses;
        try {
            addresses = WorkerAddresses.parse(workers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(sub.commandLine(), "Invalid --workers: " + e.getMessage());
        }
        try (ApiBus api = ApiBus.connect(addresses, new SimpleMeterRegistry(),
                sender -> sender.requestTimeout(timeout), "auction-send")) {
            CommandBus bus = api.bus();
            MessageId id = bus.newId();
            Envelope<dev.trench.bus.Command<Accepted>> envelope = Envelope.of(command, id, id, null, bus.clock().millis());
            out.println("command " + id + ": " + command);
            out.flush();
            long started = System.nanoTime();
            try {
                Accepted accepted = bus.<Accepted>dispatch(envelope).toCompletableFuture()
                        .get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
                out.println("accepted by " + accepted.worker() + " at " + accepted.endpoint() + " in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
                out.flush();
                return 0;
            } catch (ExecutionException | CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                err.println("not accepted: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
                err.flush();
                return cause instanceof InvalidCommandException ? 2 : 1;
            } catch (TimeoutException e) {
                err.println("not accepted: no answer within " + timeout.multipliedBy(4));
                err.flush();
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("interrupted while waiting for the acknowledgement");
                err.flush();
                return 1;
            }
        }
    }
}
