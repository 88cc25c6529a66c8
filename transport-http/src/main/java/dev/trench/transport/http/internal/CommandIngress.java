package dev.trench.transport.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.bus.OverloadedException;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.http.HttpCommandServerConfig;
import dev.trench.transport.http.HttpExchange;
import dev.trench.transport.http.HttpHandler;
import dev.trench.transport.http.HttpMeters;
import dev.trench.transport.http.HttpReply;
import dev.trench.transport.http.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The worker side of HTTP delegation: the {@code POST /commands} handler, the bounded queue, the dedupe window and the
 * worker threads that dispatch accepted commands into the local bus.
 *
 * <p>Order of one request, all on the I/O thread: content type, mode header, decode (the command's constructor
 * validates it), known to the bus, then one atomic step per command id: a duplicate is acknowledged again; otherwise
 * the command takes a place in the queue (refused with 503 when draining or full), and only then is it acknowledged.
 */
public final class CommandIngress implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CommandIngress.class);

    /** The request header choosing the mode of one request: {@code sync} or {@code ack}. */
    public static final String MODE_HEADER = "X-Trench-Mode";

    private final CommandBus bus;
    private final WireCodec codec;
    private final HttpCommandServerConfig config;
    private final Set<String> syncCommands;
    private final DedupeWindow dedupe;
    private final ArrayBlockingQueue<Job> queue;
    private final InFlight pending = new InFlight();
    private final List<Thread> workers = new ArrayList<>();
    private final MeterRegistry registry;
    private final String channel;
    private final ObjectMapper results;
    private final Counter messagesIn;
    private final Counter bytesIn;
    private final Counter duplicates;
    private final Timer ackLatency;
    private final ConcurrentHashMap<String, Counter[]> handledCounters = new ConcurrentHashMap<>();
    private volatile boolean draining;
    private volatile boolean stopped;

    /** Creates the ingress; {@link #startWorkers()} starts its threads. */
    public CommandIngress(CommandBus bus, WireCodec codec, HttpCommandServerConfig config, MeterRegistry registry,
            Clock clock) {
        this.bus = bus;
        this.codec = codec;
        this.config = config;
        this.syncCommands = config.syncCommands();
        this.dedupe = new DedupeWindow(config.dedupeWindow(), config.dedupeMaxEntries(), clock);
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.registry = registry;
        this.channel = config.server().name();
        this.results = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
        this.messagesIn = Counter.builder(TransportMeters.MESSAGES).tags(common())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_IN)
                .tag(TransportMeters.TAG_KIND, TransportMeters.KIND_COMMAND).register(registry);
        this.bytesIn = Counter.builder(TransportMeters.BYTES).baseUnit("bytes").tags(common())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_IN)
                .tag(TransportMeters.TAG_KIND, TransportMeters.KIND_COMMAND).register(registry);
        this.duplicates = Counter.builder(HttpMeters.DUPLICATES).tags(common()).register(registry);
        this.ackLatency = Timer.builder(TransportMeters.ACK_LATENCY).tags(common()).register(registry);
        Gauge.builder(TransportMeters.QUEUE_DEPTH, queue, ArrayBlockingQueue::size).tags(common()).register(registry);
        Gauge.builder(HttpMeters.IN_PROGRESS, pending, InFlight::get).tags(common()).register(registry);
        List<String> unknown = new ArrayList<>();
        for (String name : syncCommands) {
            if (bus.specs().stream().noneMatch(s -> s.name().equals(name))) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("HttpCommandServerConfig: syncCommands: " + unknown
                    + " are not commands registered with the bus; registered: "
                    + bus.specs().stream().map(CommandSpec::name).toList());
        }
    }

    private String[] common() {
        return new String[] {TransportMeters.TAG_TRANSPORT, HttpMeters.HTTP, TransportMeters.TAG_CHANNEL, channel};
    }

    /** Starts the worker threads. */
    public void startWorkers() {
        for (int i = 0; i < config.workerThreads(); i++) {
            Thread t = new Thread(this::work, "trench-" + channel + "-worker-" + i);
            t.setDaemon(false);
            workers.add(t);
            t.start();
        }
    }

    // ---------------------------------------------------------------- the I/O-thread part

    @Override
    public void handle(HttpExchange exchange) {
        long started = NettyExchange.receivedNanosOf(exchange, System.nanoTime());
        String contentType = exchange.header("Content-Type");
        if (!isJson(contentType)) {
            reject(exchange, "unsupported-media-type", Problems.unsupportedMediaType(contentType));
            return;
        }
        Boolean syncRequested;
        String mode = exchange.header(MODE_HEADER);
        if (mode == null) {
            syncRequested = null;
        } else if (mode.trim().equalsIgnoreCase("sync")) {
            syncRequested = Boolean.TRUE;
        } else if (mode.trim().equalsIgnoreCase("ack")) {
            syncRequested = Boolean.FALSE;
        } else {
            reject(exchange, "invalid-header", Problem.of(400, "invalid-header", "Invalid header",
                    MODE_HEADER + " must be 'sync' or 'ack', was '" + Problems.abbreviate(mode) + "'")
                    .with("field", MODE_HEADER));
            return;
        }
        byte[] body = NettyExchange.bodyOf(exchange);
        bytesIn.increment(body.length);
        Envelope<?> envelope;
        try {
            envelope = codec.decodeCommand(body);
        } catch (WireFormatException e) {
            LOG.warn("Refused a command from {}: {} (field {}, type {}): {}", exchange.remoteAddress(),
                    e.reason().tag(), e.field(), e.type(), e.getMessage());
            reject(exchange, e.reason().tag(), problemFor(e));
            return;
        }
        MessageId id = envelope.commandId();
        Optional<CommandSpec<?>> spec = bus.spec(envelope.command().getClass());
        if (spec.isEmpty()) {
            reject(exchange, "unknown-type", Problem.of(400, "unknown-type", "Unknown command type",
                    "this worker does not handle commands of type " + envelope.command().getClass().getSimpleName())
                    .with("field", "type").with("commandId", id.toString()));
            return;
        }
        boolean sync = syncRequested != null ? syncRequested : syncCommands.contains(spec.get().name());
        Job job = new Job(envelope, spec.get(), sync ? exchange : null);
        DedupeWindow.Result result = dedupe.admit(id, () -> enqueue(job));
        switch (result) {
            case DUPLICATE -> {
                duplicates.increment();
                LOG.info("Command {} ({}) was already accepted; acknowledged again, not handled again", id,
                        spec.get().name());
                exchange.respond(HttpReply.json(202, ("{\"commandId\":\"" + id + "\",\"duplicate\":true}")
                        .getBytes(StandardCharsets.US_ASCII)));
            }
            case REFUSED -> {
                boolean wasDraining = job.refusedForDraining;
                Problem p = (wasDraining ? Problems.draining() : Problems.queueFull(config.queueCapacity()))
                        .with("commandId", id.toString());
                reject(exchange, wasDraining ? "draining" : "queue-full", p);
            }
            case ADMITTED -> {
                messagesIn.increment();
                if (!sync) {
                    exchange.respond(HttpReply.json(202, ("{\"commandId\":\"" + id + "\"}")
                            .getBytes(StandardCharsets.US_ASCII)));
                    ackLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /** Takes a place in the queue; runs inside the dedupe window's per-id lock. */
    private boolean enqueue(Job job) {
        pending.increment();
        // the increment comes before the check, and the drain sets the flag before it waits for zero: either this
        // call sees the flag, or the drain sees this command and waits for it
        if (draining || stopped) {
            pending.decrement();
            job.refusedForDraining = true;
            return false;
        }
        if (!queue.offer(job)) {
            pending.decrement();
            return false;
        }
        return true;
    }

    private void reject(HttpExchange exchange, String reason, Problem problem) {
        Counter.builder(TransportMeters.REJECTS).tags(common())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_IN)
                .tag(TransportMeters.TAG_REASON, reason)
                .register(registry).increment();
        exchange.respond(HttpReply.problem(problem));
    }

    private static Problem problemFor(WireFormatException e) {
        if (e.reason() == WireFormatException.Reason.TOO_LARGE) {
            return Problem.of(413, "payload-too-large", "Payload Too Large", e.getMessage());
        }
        String title = switch (e.reason()) {
            case UNKNOWN_TYPE -> "Unknown command type";
            case MALFORMED -> "Malformed JSON";
            case MISSING_FIELD -> "Missing field";
            case INVALID_FIELD -> "Invalid field";
            case UNKNOWN_FIELD -> "Unknown field";
            case TOO_LARGE -> "Payload Too Large";
        };
        Problem p = Problem.of(400, e.reason().tag(), title, e.getMessage());
        if (e.field() != null) {
            p = p.with("field", e.field());
        }
        if (e.type() != null) {
            p = p.with("commandType", e.type());
        }
        return p;
    }

    private static boolean isJson(@Nullable String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
    }

    // ---------------------------------------------------------------- the worker threads

    private void work() {
        while (!stopped) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                run(job);
            } finally {
                pending.decrement();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run(Job job) {
        Envelope<?> envelope = job.envelope;
        String name = job.spec.name();
        MDC.put("commandId", envelope.commandId().toString());
        try {
            Object result = null;
            Throwable failure = null;
            try {
                result = bus.dispatch((Envelope<? extends Command<Object>>) (Envelope<?>) envelope)
                        .toCompletableFuture().get();
            } catch (ExecutionException e) {
                failure = unwrap(e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (RuntimeException e) {
                failure = e;
            }
            handled(name, failure == null).increment();
            HttpExchange exchange = job.syncExchange;
            if (exchange != null) {
                exchange.respond(failure == null ? resultReply(envelope.commandId(), result)
                        : HttpReply.problem(failureProblem(envelope.commandId(), name, failure)));
            } else if (failure != null) {
                if (failure instanceof CommandRejectedException r) {
                    LOG.info("Command {} ({}) rejected after its ack: {} ({})", envelope.commandId(), name,
                            r.reason(), r.getMessage());
                } else {
                    LOG.warn("Command {} ({}) failed after its ack", envelope.commandId(), name, failure);
                }
            }
        } finally {
            MDC.remove("commandId");
        }
    }

    /**
     * The handled counter of a command and outcome, registered once per pair and then reused: registering looks the
     * meter up by its id (tags sorted, a map lookup) and cost a worker thread more than dispatching a small command.
     */
    private Counter handled(String command, boolean success) {
        Counter[] pair = handledCounters.computeIfAbsent(command, k -> new Counter[2]);
        int slot = success ? 0 : 1;
        Counter c = pair[slot];
        if (c == null) {
            // racy but idempotent: the registry hands out the same counter for the same id
            c = Counter.builder(HttpMeters.HANDLED).tags(common()).tag(HttpMeters.TAG_COMMAND, command)
                    .tag(HttpMeters.TAG_OUTCOME, success ? "success" : "failure")
                    .register(registry);
            pair[slot] = c;
        }
        return c;
    }

    private HttpReply resultReply(MessageId id, @Nullable Object result) {
        try {
            byte[] value = results.writeValueAsBytes(result);
            byte[] prefix = ("{\"commandId\":\"" + id + "\",\"result\":").getBytes(StandardCharsets.US_ASCII);
            byte[] body = new byte[prefix.length + value.length + 1];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(value, 0, body, prefix.length, value.length);
            body[body.length - 1] = '}';
            return HttpReply.json(200, body);
        } catch (JsonProcessingException e) {
            LOG.error("Result of command {} cannot be written as JSON", id, e);
            return HttpReply.problem(Problems.internal("the command succeeded but its result ("
                    + (result == null ? "null" : result.getClass().getSimpleName())
                    + ") cannot be written as JSON").with("commandId", id.toString()));
        }
    }

    private static Problem failureProblem(MessageId id, String name, Throwable failure) {
        String commandId = id.toString();
        if (failure instanceof CommandRejectedException r) {
            return Problem.of(422, "command-rejected", "Command rejected", r.getMessage())
                    .with("reason", r.reason()).with("commandId", commandId);
        }
        if (failure instanceof InvalidCommandException i) {
            return Problem.of(400, "invalid-field", "Invalid field", i.getMessage())
                    .with("field", i.field()).with("commandId", commandId);
        }
        if (failure instanceof OverloadedException o) {
            return Problem.of(503, "overloaded", "Service Unavailable", o.getMessage())
                    .with("reason", "overloaded").with("commandId", commandId);
        }
        LOG.warn("Command {} ({}) failed in sync mode", id, name, failure);
        return Problem.of(500, "handler-failed", "Command failed", "handling " + name + " failed with "
                + failure.getClass().getSimpleName() + "; see the worker's log for command " + commandId)
                .with("commandId", commandId);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---------------------------------------------------------------- drain

    /** Refuses new commands from now on (a resend of an accepted id is still acknowledged). */
    public void beginDrain() {
        draining = true;
    }

    /** Waits until every accepted command finished, or the deadline passes; returns whether all finished. */
    public boolean awaitIdle(long deadlineNanos) {
        return pending.awaitZero(deadlineNanos);
    }

    /** Accepted commands not finished (queued or being handled). */
    public int inProgress() {
        return pending.get();
    }

    /** Accepted commands waiting for a worker thread. */
    public int queued() {
        return queue.size();
    }

    /**
     * Stops the worker threads (interrupting the ones still handling a command after a drain timeout) and forgets what
     * is still queued; returns how many queued commands were abandoned.
     */
    public int stop(long waitMillis) {
        stopped = true;
        draining = true;
        List<Job> abandoned = new ArrayList<>();
        queue.drainTo(abandoned);
        for (Job j : abandoned) {
            if (j.syncExchange != null) {
                // not acknowledged yet: the client may send it elsewhere
                j.syncExchange.respond(HttpReply.problem(Problems.draining()
                        .with("commandId", j.envelope.commandId().toString())));
            } else {
                LOG.warn("Command {} ({}) was acknowledged but is abandoned at shutdown", j.envelope.commandId(),
                        j.spec.name());
            }
            pending.decrement();
        }
        for (Thread t : workers) {
            t.interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warn("Worker thread {} did not stop in time", t.getName());
            }
        }
        return abandoned.size();
    }

    /** An accepted command and, in sync mode, the exchange waiting for its outcome. */
    private static final class Job {
        final Envelope<?> envelope;
        final CommandSpec<?> spec;
        final @Nullable HttpExchange syncExchange;
        boolean refusedForDraining;

        Job(Envelope<?> envelope, CommandSpec<?> spec, @Nullable HttpExchange syncExchange) {
            this.envelope = envelope;
            this.spec = spec;
            this.syncExchange = syncExchange;
        }
    }
}
