package dev.trench.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.bus.Accepted;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.spi.CommandSender;
import dev.trench.transport.TransportMeters;
import dev.trench.transport.WireCodec;
import dev.trench.transport.WireFormatException;
import dev.trench.transport.http.internal.AttemptFailedException;
import dev.trench.transport.http.internal.CommandClient;
import dev.trench.transport.http.internal.EndpointGroup;
import dev.trench.transport.http.internal.Json;
import dev.trench.transport.http.internal.RemoteEndpoint;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands to a worker service over HTTP and completes with the worker's acknowledgement: the
 * {@link CommandSender} of HTTP delegation with ack.
 *
 * <h2>Endpoints</h2>
 * From {@link HttpCommandSenderConfig}: a static list, or a DNS name re-resolved every
 * {@link HttpCommandSenderConfig#dnsRefreshInterval()} with every address used (a Kubernetes headless service). Each
 * change of membership is logged. Each endpoint has a pool of keep-alive connections (Netty).
 *
 * <h2>Which endpoint</h2>
 * A command whose type has a routing key ({@link HttpCommandSenderConfig.Builder#routingKey}) goes to the endpoint
 * that rendezvous hashing picks for its key: the same endpoint for the same key while the set is unchanged; when an
 * endpoint leaves only its keys move, when one joins only the keys it now wins move. Other commands go to the less
 * busy of two endpoints picked at random.
 *
 * <h2>Retries, before the ack only</h2>
 * A refused connection, a connection timeout, a request timeout, a connection closed before an answer, or a 503
 * (queue full, draining) is retried with the same command id (Resilience4j {@link Retry}, at most
 * {@link HttpCommandSenderConfig#maxAttempts()} attempts, exponential backoff), each time on an endpoint this send has
 * not tried yet when one is left. An endpoint that refused a connection is skipped by every send for
 * {@link HttpCommandSenderConfig#deadEndpointCooldown()} and DNS is re-resolved at once. Once an endpoint answered
 * 202 (or 200) the command is never sent again. A timed-out attempt may still have been accepted by its endpoint: the
 * retry elsewhere then makes the command run twice unless the handlers are idempotent (each worker's dedupe window
 * catches resends to the same worker only).
 *
 * <h2>Outcomes</h2>
 * The stage completes with {@link Accepted} (its {@code endpoint} is the {@code host:port} that acknowledged), or
 * exceptionally with {@link OverloadedException} (the last attempt found its endpoint full),
 * {@link CommandRejectedException} (a worker answering in sync mode refused it, 422), {@link HttpSendException}
 * (unreachable, the deadline of the envelope passed, or refused for good with another 4xx/5xx), or
 * {@link WireFormatException} (the command cannot be encoded; nothing was sent).
 */
public final class HttpCommandSender implements CommandSender {
    private static final Logger LOG = LoggerFactory.getLogger(HttpCommandSender.class);

    private final HttpCommandSenderConfig config;
    private final WireCodec codec;
    private final Clock clock;
    private final HostResolver resolver;
    private final MeterRegistry registry;
    private final CommandClient client;
    private final EndpointGroup group;
    private final Retry retry;
    private final @Nullable ScheduledExecutorService dns;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<CompletableFuture<Accepted>> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastRefreshNanos = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(10));
    private final Counter messagesOut;
    private final Counter bytesOut;
    private final Timer ackLatency;
    private volatile boolean closed;

    private HttpCommandSender(Builder b) {
        this.config = b.config;
        this.codec = b.codec;
        this.clock = b.clock;
        this.resolver = b.resolver;
        this.registry = b.registry;
        String worker = config.worker();
        this.client = new CommandClient(config);
        this.group = new EndpointGroup(worker, client::endpoint, client::retire, registry);
        this.messagesOut = Counter.builder(TransportMeters.MESSAGES).tags(tags())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_OUT)
                .tag(TransportMeters.TAG_KIND, TransportMeters.KIND_COMMAND).register(registry);
        this.bytesOut = Counter.builder(TransportMeters.BYTES).baseUnit("bytes").tags(tags())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_OUT)
                .tag(TransportMeters.TAG_KIND, TransportMeters.KIND_COMMAND).register(registry);
        this.ackLatency = Timer.builder(TransportMeters.ACK_LATENCY).tags(tags()).register(registry);
        Gauge.builder(TransportMeters.QUEUE_DEPTH, inFlight, AtomicInteger::get).tags(tags()).register(registry);
        RetryConfig retryConfig = RetryConfig.<Accepted>custom()
                .maxAttempts(config.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(config.retryBackoff(), 2.0,
                        config.maxRetryBackoff()))
                .retryOnException(t -> unwrap(t) instanceof AttemptFailedException)
                .failAfterMaxAttempts(false)
                .writableStackTraceEnabled(false)
                .build();
        this.retry = Retry.of("trench-http-" + worker, retryConfig);
        retry.getEventPublisher().onRetry(event -> {
            Throwable t = event.getLastThrowable() == null ? null : unwrap(event.getLastThrowable());
            String cause = t instanceof AttemptFailedException a ? a.reason().tag() : "other";
            Counter.builder(HttpMeters.RETRIES).tags(tags()).tag(HttpMeters.TAG_CAUSE, cause).register(registry)
                    .increment();
        });
        if (config.dnsName() == null) {
            List<EndpointGroup.Target> targets = new ArrayList<>();
            for (String e : config.endpoints()) {
                int colon = e.lastIndexOf(':');
                String host = e.substring(0, colon);
                if (host.startsWith("[")) {
                    host = host.substring(1, host.length() - 1);
                }
                int port = Integer.parseInt(e.substring(colon + 1));
                targets.add(new EndpointGroup.Target(e, InetSocketAddress.createUnresolved(host, port)));
            }
            group.update(targets);
            this.dns = null;
        } else {
            this.dns = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "trench-http-dns-" + worker);
                t.setDaemon(true);
                return t;
            });
            refreshEndpoints();
            long every = config.dnsRefreshInterval().toMillis();
            dns.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private String[] tags() {
        return new String[] {TransportMeters.TAG_TRANSPORT, HttpMeters.HTTP, TransportMeters.TAG_CHANNEL,
            config.worker()};
    }

    /**
     * Starts a sender.
     *
     * @param config where the worker service is and how to talk to it
     * @param codec  the wire codec; the commands sent must be registered in its type registry
     */
    public static Builder builder(HttpCommandSenderConfig config, WireCodec codec) {
        return new Builder(config, codec);
    }

    @Override
    public CompletionStage<Accepted> send(CommandSpec<?> spec, Envelope<?> envelope) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(envelope, "envelope");
        if (closed) {
            reject("closed");
            return CompletableFuture.failedFuture(new HttpSendException("sender for worker '" + config.worker()
                    + "' is closed; command " + envelope.commandId() + " was not sent", 0, null, null, null));
        }
        byte[] body;
        try {
            body = codec.encodeCommand(envelope);
        } catch (WireFormatException e) {
            reject(e.reason().tag());
            return CompletableFuture.failedFuture(e);
        }
        String key = config.routingKey(envelope.command());
        SendState state = new SendState(envelope, spec.name(), body, key, System.nanoTime());
        CompletableFuture<Accepted> result = new CompletableFuture<>();
        inFlight.incrementAndGet();
        pending.add(result);
        result.whenComplete((a, e) -> {
            inFlight.decrementAndGet();
            pending.remove(result);
        });
        if (closed) {
            failClosed(result, state.id());
            return result;
        }
        try {
            Retry.decorateCompletionStage(retry, client.scheduler(), () -> attempt(state)).get()
                    .whenComplete((accepted, error) -> {
                        if (error == null) {
                            if (!result.isDone()) {
                                messagesOut.increment();
                                ackLatency.record(System.nanoTime() - state.startedNanos, TimeUnit.NANOSECONDS);
                                result.complete(accepted);
                            }
                        } else if (!result.isDone()) {
                            result.completeExceptionally(finalFailure(state, unwrap(error)));
                        }
                    });
        } catch (RuntimeException e) {
            // the I/O threads are gone: the sender is closing
            failClosed(result, state.id());
        }
        return result;
    }

    /** One attempt: choose an endpoint, post, interpret the answer. Never throws. */
    private CompletableFuture<Accepted> attempt(SendState state) {
        CompletableFuture<Accepted> outcome = new CompletableFuture<>();
        if (closed) {
            outcome.completeExceptionally(new HttpSendException("sender for worker '" + config.worker()
                    + "' was closed before command " + state.id() + " was accepted", 0, null, null, null));
            return outcome;
        }
        long timeoutMillis = config.requestTimeout().toMillis();
        Instant deadline = state.envelope.deadline();
        if (deadline != null) {
            long left = Duration.between(clock.instant(), deadline).toMillis();
            if (left <= 0) {
                outcome.completeExceptionally(new HttpSendException("deadline " + deadline + " of command "
                        + state.id() + " passed before worker '" + config.worker() + "' accepted it"
                        + state.summary(), 0, null, null, null));
                return outcome;
            }
            timeoutMillis = Math.min(timeoutMillis, left);
        }
        long now = System.nanoTime();
        RemoteEndpoint endpoint = group.choose(state.key, state.tried, now);
        if (endpoint == null) {
            requestRefresh();
            AttemptFailedException e = client.noEndpoint(config.worker());
            state.note(null, e);
            outcome.completeExceptionally(e);
            return outcome;
        }
        state.tried.add(endpoint);
        state.attempts++;
        bytesOut.increment(state.body.length);
        client.post(endpoint, state.body, timeoutMillis).whenComplete((response, error) -> {
            if (error != null) {
                Throwable t = unwrap(error);
                if (t instanceof AttemptFailedException a) {
                    if (client.markDownIfDead(endpoint, a)) {
                        LOG.warn("Worker '{}': endpoint {} is unreachable ({}); skipping it for {}", config.worker(),
                                endpoint.id(), a.getMessage(), config.deadEndpointCooldown());
                        requestRefresh();
                    }
                    state.note(endpoint.id(), a);
                }
                outcome.completeExceptionally(t);
                return;
            }
            client.markUp(endpoint);
            interpret(state, endpoint, response.status(), response.body(), outcome);
        });
        return outcome;
    }

    private void interpret(SendState state, RemoteEndpoint endpoint, int status, byte[] body,
            CompletableFuture<Accepted> outcome) {
        MessageId id = state.id();
        if (status == 202 || status == 200) {
            JsonNode node = Json.readObject(body);
            String acked = node == null ? null : Json.text(node, "commandId");
            if (acked != null && !acked.equals(id.toString())) {
                outcome.completeExceptionally(new HttpSendException("endpoint " + endpoint.id() + " of worker '"
                        + config.worker() + "' acknowledged command " + acked + " instead of " + id, status,
                        endpoint.id(), null, null));
                return;
            }
            outcome.complete(new Accepted(id, config.worker(), endpoint.id(), clock.instant()));
            return;
        }
        Problem problem = Json.readProblem(body, status);
        String detail = problem == null || problem.detail() == null ? "HTTP " + status : problem.detail();
        if (status == 503) {
            AttemptFailedException e = client.overloaded(endpoint, detail);
            state.note(endpoint.id(), e);
            outcome.completeExceptionally(e);
        } else if (status == 422 && problem != null && problem.extension("reason") != null) {
            outcome.completeExceptionally(new CommandRejectedException(problem.extension("reason"), detail));
        } else {
            outcome.completeExceptionally(new HttpSendException("worker '" + config.worker() + "' (" + endpoint.id()
                    + ") refused command " + id + " (" + state.name + ") with " + status + ": " + detail, status,
                    endpoint.id(), problem, null));
        }
    }

    private Throwable finalFailure(SendState state, Throwable error) {
        if (error instanceof AttemptFailedException a) {
            if (a.reason().overload()) {
                reject(TransportMeters.REASON_OVERLOADED);
                OverloadedException o = new OverloadedException("worker '" + config.worker() + "' did not accept"
                        + " command " + state.id() + " (" + state.name + ") after " + state.attempts
                        + " attempts: full" + state.summary());
                o.initCause(a);
                return o;
            }
            reject(a.reason() == AttemptFailedException.Cause.NO_ENDPOINT ? TransportMeters.REASON_NO_ENDPOINT
                    : "unreachable");
            return new HttpSendException("no endpoint of worker '" + config.worker() + "' accepted command "
                    + state.id() + " (" + state.name + ") after " + state.attempts + " attempts" + state.summary(), 0,
                    a.endpoint(), null, a);
        }
        if (error instanceof CommandRejectedException) {
            reject("rejected");
        } else if (error instanceof HttpSendException h) {
            reject(h.status() == 0 ? (closed ? TransportMeters.REASON_CLOSED : "deadline") : "refused-by-worker");
        } else {
            reject("other");
        }
        return error;
    }

    private void failClosed(CompletableFuture<Accepted> result, MessageId id) {
        if (result.completeExceptionally(new HttpSendException("sender for worker '" + config.worker()
                + "' was closed before command " + id + " was accepted", 0, null, null, null))) {
            reject(TransportMeters.REASON_CLOSED);
        }
    }

    private void reject(String reason) {
        Counter.builder(TransportMeters.REJECTS).tags(tags())
                .tag(TransportMeters.TAG_DIRECTION, TransportMeters.DIRECTION_OUT)
                .tag(TransportMeters.TAG_REASON, reason).register(registry).increment();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /** The endpoints known now ({@code host:port}), in order. */
    public List<String> endpoints() {
        return group.snapshot().stream().map(RemoteEndpoint::id).toList();
    }

    /**
     * Resolves the DNS name now (it is also done every refresh interval, and at once after a refused connection),
     * replacing the endpoint set when it changed. Does nothing for a static list. A failed resolution keeps the
     * endpoints known so far.
     */
    public void refreshEndpoints() {
        String name = config.dnsName();
        if (name == null || closed) {
            return;
        }
        lastRefreshNanos.set(System.nanoTime());
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (Exception e) {
            LOG.warn("Worker '{}': cannot resolve {} ({}); keeping endpoints {}", config.worker(), name, e.toString(),
                    endpoints());
            return;
        }
        if (addresses == null || addresses.isEmpty()) {
            LOG.warn("Worker '{}': {} resolved to no address; keeping endpoints {}", config.worker(), name,
                    endpoints());
            return;
        }
        List<EndpointGroup.Target> targets = new ArrayList<>();
        for (InetAddress a : addresses) {
            InetSocketAddress socket = new InetSocketAddress(a, config.dnsPort());
            String host = a.getHostAddress();
            String id = (host.contains(":") ? "[" + host + "]" : host) + ":" + config.dnsPort();
            targets.add(new EndpointGroup.Target(id, socket));
        }
        group.update(targets);
    }

    private void refreshQuietly() {
        try {
            refreshEndpoints();
        } catch (RuntimeException e) {
            LOG.warn("Worker '{}': endpoint refresh failed", config.worker(), e);
        }
    }

    /** Re-resolves soon, at most once a second, when the endpoints come from DNS. */
    private void requestRefresh() {
        ScheduledExecutorService executor = dns;
        if (executor == null || closed) {
            return;
        }
        long last = lastRefreshNanos.get();
        long now = System.nanoTime();
        if (now - last >= TimeUnit.SECONDS.toNanos(1) && lastRefreshNanos.compareAndSet(last, now)) {
            try {
                executor.execute(this::refreshQuietly);
            } catch (RuntimeException e) {
                // closing
            }
        }
    }

    /** The settings. */
    public HttpCommandSenderConfig config() {
        return config;
    }

    /** Closes every connection and stops the threads; sends not yet acknowledged fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dns != null) {
            dns.shutdownNow();
        }
        group.clear();
        client.close();
        for (CompletableFuture<Accepted> f : List.copyOf(pending)) {
            f.completeExceptionally(new HttpSendException("sender for worker '" + config.worker()
                    + "' was closed before the command was accepted", 0, null, null, null));
        }
        LOG.info("Sender for worker '{}' closed", config.worker());
    }

    @Override
    public String toString() {
        return "HttpCommandSender{worker=" + config.worker() + ", endpoints=" + endpoints() + ", inFlight="
                + inFlight.get() + "}";
    }

    /** The state of one send across its attempts. */
    private static final class SendState {
        final Envelope<?> envelope;
        final String name;
        final byte[] body;
        final @Nullable String key;
        final long startedNanos;
        final Set<RemoteEndpoint> tried = new HashSet<>();
        final List<String> failures = new ArrayList<>(2);
        int attempts;

        SendState(Envelope<?> envelope, String name, byte[] body, @Nullable String key, long startedNanos) {
            this.envelope = envelope;
            this.name = name;
            this.body = body;
            this.key = key;
            this.startedNanos = startedNanos;
        }

        MessageId id() {
            return envelope.commandId();
        }

        synchronized void note(@Nullable String endpoint, AttemptFailedException e) {
            failures.add((endpoint == null ? "" : endpoint + " ") + e.reason().tag() + " (" + e.getMessage() + ")");
        }

        synchronized String summary() {
            return failures.isEmpty() ? "" : ": " + String.join("; ", failures);
        }
    }

    /** Collects the collaborators of an {@link HttpCommandSender}. */
    public static final class Builder {
        private final HttpCommandSenderConfig config;
        private final WireCodec codec;
        private MeterRegistry registry = new CompositeMeterRegistry();
        private HostResolver resolver = HostResolver.system();
        private Clock clock = Clock.systemUTC();

        private Builder(HttpCommandSenderConfig config, WireCodec codec) {
            this.config = Objects.requireNonNull(config, "config");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /** Where the sender's meters go; none by default. */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Resolves the DNS name; {@link HostResolver#system()} by default. */
        public Builder resolver(HostResolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        /** The clock of {@link Accepted#acceptedAt()} and of envelope deadlines; the system UTC clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds the sender, resolving its endpoints once (a failed DNS resolution is retried in the background). */
        public HttpCommandSender build() {
            return new HttpCommandSender(this);
        }
    }
}
