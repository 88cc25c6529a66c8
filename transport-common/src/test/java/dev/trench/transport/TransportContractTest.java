package dev.trench.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trench.bus.Accepted;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.bus.spi.CommandSender;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every Trench transport keeps, run over the transport's real sockets. A transport's test extends it and
 * says how to start the receiving side (wired to a local {@link CommandBus}), how to make a {@link CommandSender} for
 * it, and how to put raw bytes on the wire; the cases here do the rest.
 *
 * <p>Published in this module's test-jar. A module using it declares, in test scope, {@code trench-transport-common}
 * with {@code <type>test-jar</type>}, JUnit Jupiter, AssertJ and Awaitility.
 *
 * @param <R> the transport's receiving side (e.g. the ZeroMQ command receiver or the HTTP worker endpoint)
 */
public abstract class TransportContractTest<R extends AutoCloseable> {

    /** The command the contract sends: validates itself, carries a decimal amount. */
    public record Ping(String key, int n, BigDecimal amount) implements Command<Void> {
        /** Validates like a real command. */
        public Ping {
            InvalidCommandException.requireText("key", key);
            InvalidCommandException.requirePositiveAmount("amount", amount, 2);
        }
    }

    /** The logical name of {@link Ping} on the wire. */
    public static final String PING = "contract.ping";

    /** Envelopes handled by the receiving side's bus, in the order handled. */
    protected final BlockingQueue<Envelope<?>> handled = new LinkedBlockingQueue<>();

    /** The spec of {@link Ping}, with a handler recording into {@link #handled}. */
    protected final CommandSpec<Ping> spec = CommandSpec.of(Ping.class, PING)
            .handler((Ping ping, dev.trench.bus.HandlerContext<Void> context) -> handled.add(context.envelope()))
            .build();

    /** The type registry of both sides. */
    protected final TypeRegistry types = TypeRegistry.builder().registerCommand(spec).build();

    /** The codec of both sides. */
    protected final WireCodec codec = WireCodec.of(types);

    private @Nullable Set<Thread> threadsBefore;
    private @Nullable CommandBus bus;
    private @Nullable R receiver;
    private @Nullable CommandSender sender;

    /**
     * Starts the receiving side: decodes with {@code codec}, dispatches each command with
     * {@link CommandBus#dispatch(Envelope)}. It must be ready to receive when this returns.
     */
    protected abstract R startReceiver(CommandBus bus, WireCodec codec) throws Exception;

    /** Creates a sender whose commands reach {@code receiver}. */
    protected abstract CommandSender createSender(R receiver, WireCodec codec) throws Exception;

    /**
     * Puts {@code body} on the wire to {@code receiver} exactly as the transport carries a command body, without
     * encoding or checking it, and returns once the transport took it (what the receiver answers is not checked).
     */
    protected abstract void sendRaw(R receiver, byte[] body) throws Exception;

    /** How long a case waits for something to arrive. */
    protected Duration timeout() {
        return Duration.ofSeconds(20);
    }

    /** Threads that may outlive a closed transport because they belong to the JVM or the test tools. */
    protected boolean isSharedThread(Thread thread) {
        String name = thread.getName();
        return name.startsWith("ForkJoinPool") || name.startsWith("awaitility") || name.startsWith("Attach")
                || name.startsWith("process reaper") || name.startsWith("Common-Cleaner");
    }

    @BeforeEach
    void startTransport() throws Exception {
        threadsBefore = liveThreads();
        bus = CommandBus.builder().name("contract-receiver").register(spec).build();
        receiver = startReceiver(bus, codec);
        sender = createSender(receiver, codec);
    }

    @AfterEach
    void closeTransport() throws Exception {
        try {
            if (sender != null) {
                sender.close();
            }
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    /** A root envelope around {@code ping} with the metadata a real dispatch carries. */
    protected Envelope<Ping> envelope(Ping ping) {
        MessageId id = bus().newId();
        return Envelope.builder(ping).commandId(id).correlationId(bus().newId()).createdAt(Instant.now()).build();
    }

    /** The receiving side's bus. */
    protected CommandBus bus() {
        return java.util.Objects.requireNonNull(bus, "bus");
    }

    /** The receiving side started for this case. */
    protected R receiver() {
        return java.util.Objects.requireNonNull(receiver, "receiver");
    }

    /** The sender created for this case. */
    protected CommandSender sender() {
        return java.util.Objects.requireNonNull(sender, "sender");
    }

    private Envelope<?> nextHandled() throws InterruptedException {
        Envelope<?> next = handled.poll(timeout().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(next).as("a command handled within %s", timeout()).isNotNull();
        return next;
    }

    @Test
    void aSentCommandIsHandledOnceWithTheSameIdsHeadersAndTimes() throws Exception {
        Envelope<Ping> sent = Envelope.builder(new Ping("A1", 1, new BigDecimal("12.50")))
                .commandId(bus().newId()).correlationId(bus().newId()).causationId(bus().newId())
                .createdAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .deadline(Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.MILLIS))
                .headers(Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                        "tenant", "eu-1"))
                .build();

        Accepted accepted = sender().send(spec, sent).toCompletableFuture().get(timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        Envelope<?> received = nextHandled();

        assertThat(accepted.commandId()).isEqualTo(sent.commandId());
        assertThat(received.command()).isEqualTo(sent.command());
        assertThat(((Ping) received.command()).amount()).isEqualTo(new BigDecimal("12.50"));
        assertThat(received.commandId()).isEqualTo(sent.commandId());
        assertThat(received.correlationId()).isEqualTo(sent.correlationId());
        assertThat(received.causationId()).isEqualTo(sent.causationId());
        assertThat(received.createdAt()).isEqualTo(sent.createdAt());
        assertThat(received.deadline()).isEqualTo(sent.deadline());
        assertThat(received.headers()).containsAllEntriesOf(sent.headers());

        // a second command, handled after the first: the first was not handled again in between
        Envelope<Ping> marker = envelope(new Ping("A1", 2, BigDecimal.ONE));
        sender().send(spec, marker).toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(nextHandled().commandId()).isEqualTo(marker.commandId());
        assertThat(handled).isEmpty();
    }

    @Test
    void manyCommandsSentConcurrentlyAllArriveExactlyOnce() throws Exception {
        int threads = 4;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Accepted>> acks = new ArrayList<>();
        Set<MessageId> sentIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try {
            List<CompletableFuture<List<CompletableFuture<Accepted>>>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                senders.add(CompletableFuture.supplyAsync(() -> {
                    List<CompletableFuture<Accepted>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        Envelope<Ping> e = envelope(new Ping("K" + thread, i, BigDecimal.TEN));
                        sentIds.add(e.commandId());
                        mine.add(sender().send(spec, e).toCompletableFuture());
                    }
                    return mine;
                }, pool));
            }
            for (CompletableFuture<List<CompletableFuture<Accepted>>> s : senders) {
                acks.addAll(s.get(timeout().toMillis(), TimeUnit.MILLISECONDS));
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
                    .get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pool.shutdownNow();
        }

        await().atMost(timeout()).until(() -> handled.size() >= threads * perThread);
        List<MessageId> receivedIds = handled.stream().map(Envelope::commandId).collect(Collectors.toList());
        assertThat(receivedIds).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(new HashSet<>(receivedIds)).isEqualTo(sentIds);
        assertThat(acks).allSatisfy(ack -> assertThat(sentIds).contains(ack.join().commandId()));
    }

    @Test
    void malformedMessagesDoNotStopTheNextValidOne() throws Exception {
        sendRaw(receiver(), "this is not json".getBytes(UTF_8));
        sendRaw(receiver(), "{\"type\":\"contract.unknown\"}".getBytes(UTF_8));
        Envelope<Ping> invalid = envelope(new Ping("A1", 1, BigDecimal.ONE));
        String refused = new String(codec.encodeCommand(invalid), UTF_8).replace("\"amount\":1", "\"amount\":-1");
        sendRaw(receiver(), refused.getBytes(UTF_8));
        sendRaw(receiver(), new byte[] {0, 1, 2, (byte) 0xFF});

        Envelope<Ping> valid = envelope(new Ping("A1", 2, BigDecimal.ONE));
        sender().send(spec, valid).toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);

        assertThat(nextHandled().commandId()).isEqualTo(valid.commandId());
        assertThat(handled).as("nothing malformed or refused was handled").isEmpty();
    }

    @Test
    void aValidRawBodyIsHandledLikeASentOne() throws Exception {
        Envelope<Ping> sent = envelope(new Ping("A9", 7, new BigDecimal("0.01")));

        sendRaw(receiver(), codec.encodeCommand(sent));

        Envelope<?> received = nextHandled();
        assertThat(received.commandId()).isEqualTo(sent.commandId());
        assertThat(received.command()).isEqualTo(sent.command());
    }

    @Test
    void aClosedSenderFailsNewCommands() throws Exception {
        sender().close();

        CompletableFuture<Accepted> late = sender().send(spec, envelope(new Ping("A1", 1, BigDecimal.ONE)))
                .toCompletableFuture();

        await().atMost(timeout()).until(late::isDone);
        assertThat(late).isCompletedExceptionally();
    }

    @Test
    void closingReleasesEveryThreadTheTransportStarted() throws Exception {
        Envelope<Ping> sent = envelope(new Ping("A1", 1, BigDecimal.ONE));
        sender().send(spec, sent).toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(nextHandled().commandId()).isEqualTo(sent.commandId());
        assertThat(startedThreads()).as("the transport runs threads while open").isNotEmpty();

        sender().close();
        receiver().close();
        sender().close(); // closing twice is harmless
        receiver().close();

        await().atMost(timeout()).untilAsserted(() -> assertThat(startedThreads())
                .as("threads started by the transport and still alive after close").isEmpty());
    }

    private List<String> startedThreads() {
        Set<Thread> before = threadsBefore == null ? Set.of() : threadsBefore;
        return liveThreads().stream()
                .filter(t -> !before.contains(t) && !isSharedThread(t))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }
}
