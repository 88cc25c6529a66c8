package dev.trench.examples.auction.cli;

import dev.trench.examples.auction.cli.internal.EventTargets;
import dev.trench.examples.auction.cli.internal.RoleRunner;
import dev.trench.examples.auction.cli.internal.StoreOptions;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.worker.WorkerNode;
import dev.trench.transport.zmq.ZmqTarget;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code auction.jar worker}: one auction worker. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"An auction worker: accepts commands on POST /commands (HTTP with acknowledgement), runs"
                + " their handlers on its bus (built with Guice), and publishes the events over ZeroMQ to every"
                + " websocket node. SIGTERM drains it: not ready, new commands refused, acknowledged ones finished."},
        footer = {"", "Every option can also be set by the environment variable named in its description."})
public final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--name", defaultValue = "${env:AUCTION_WORKER_NAME:-auction-worker}", paramLabel = "NAME",
            description = "Name in logs, threads and metrics. Env AUCTION_WORKER_NAME. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--host", defaultValue = "${env:AUCTION_WORKER_HOST:-0.0.0.0}", paramLabel = "ADDRESS",
            description = "Address to bind. Env AUCTION_WORKER_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "${env:AUCTION_WORKER_PORT:-8090}", paramLabel = "PORT",
            description = "Command port (POST /commands, /health/*, /metrics). Env AUCTION_WORKER_PORT."
                    + " Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--ws-events", split = ",", defaultValue = "${env:AUCTION_WS_EVENTS:-tcp://127.0.0.1:23499}",
            paramLabel = "tcp://HOST:PORT",
            description = "The websocket nodes' ZeroMQ event endpoints, comma separated; every event goes to every"
                    + " one. A single DNS name means every address behind it, re-resolved (a headless service)."
                    + " Env AUCTION_WS_EVENTS. Default: ${DEFAULT-VALUE}.")
    List<String> wsEvents;

    @Option(names = "--queue-capacity", defaultValue = "${env:AUCTION_WORKER_QUEUE_CAPACITY:-2048}",
            paramLabel = "COMMANDS",
            description = "Acknowledged commands waiting for a thread; beyond it new commands get 503."
                    + " Env AUCTION_WORKER_QUEUE_CAPACITY. Default: ${DEFAULT-VALUE}.")
    int queueCapacity;

    @Option(names = "--threads", defaultValue = "${env:AUCTION_WORKER_THREADS:-4}", paramLabel = "N",
            description = "Threads running the handlers. Env AUCTION_WORKER_THREADS. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--drain-timeout", defaultValue = "${env:AUCTION_WORKER_DRAIN_TIMEOUT:-PT20S}",
            paramLabel = "DURATION",
            description = "How long a shutdown waits for acknowledged commands. Env AUCTION_WORKER_DRAIN_TIMEOUT."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        ZmqTarget events;
        try {
            events = EventTargets.parse(wsEvents);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --ws-events: " + e.getMessage());
        }
        AuctionStore auctions = store.open();
        WorkerNode worker;
        try {
            worker = WorkerNode.builder().name(name).host(host).port(port).queueCapacity(queueCapacity)
                    .workerThreads(threads).drainTimeout(drainTimeout).store(auctions).events(events).start();
        } catch (RuntimeException e) {
            StoreOptions.close(auctions);
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Auction worker " + name + ": commands on port " + worker.port() + ", events to " + events
                + ", store " + store.describe());
        out.flush();
        return RoleRunner.runUntilShutdown("worker", () -> {
            worker.close();
            StoreOptions.close(auctions);
        });
    }
}
