package dev.trench.transport.http;

import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A real worker for the tests: a bus with one command ({@link Work}) whose handler records what it handled, can be
 * held on a gate, and can be told to fail; behind an {@link HttpCommandServer} on an ephemeral loopback port.
 */
final class TestWorker implements AutoCloseable {

    /** The command the tests send; validates itself. */
    record Work(String key, int n) implements Command<String> {
        Work {
            InvalidCommandException.requireText("key", key);
            if (n < 0) {
                throw new InvalidCommandException("n", "must be >= 0, was " + n);
            }
        }
    }

    /** A command the codec knows but the worker's bus does not handle. */
    record Other(String value) implements Command<Void> {
    }

    static final String WORK = "test.work";
    static final String OTHER = "test.other";

    /** Specs without handlers, for the sending side's codec. */
    static final CommandSpec<Work> WORK_SPEC = CommandSpec.of(Work.class, WORK).build();
    static final CommandSpec<Other> OTHER_SPEC = CommandSpec.of(Other.class, OTHER).build();

    /** The codec of a sending side (and of raw requests made by tests). */
    static final WireCodec CODEC = WireCodec.of(TypeRegistry.builder().registerCommand(WORK_SPEC)
            .registerCommand(OTHER_SPEC).build());

    private static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());

    final BlockingQueue<Envelope<?>> handled = new LinkedBlockingQueue<>();
    final AtomicInteger invocations = new AtomicInteger();
    final Semaphore entered = new Semaphore(0);
    final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final CommandBus bus;
    final HttpCommandServer server;

    private TestWorker(String host, int port, Consumer<HttpCommandServerConfig.Builder> customise,
            Clock clock) {
        CommandHandler<Work, String> handler = this::handle;
        CommandSpec<Work> spec = CommandSpec.of(Work.class, WORK).handler(handler).build();
        bus = CommandBus.builder().name("test-worker").register(spec).build();
        HttpCommandServerConfig.Builder config = HttpCommandServerConfig.builder()
                .server(HttpServerConfig.builder().name("test-worker").host(host).port(port).ioThreads(2)
                        .drainTimeout(java.time.Duration.ofSeconds(20)).build())
                .workerThreads(2);
        customise.accept(config);
        server = HttpCommandServer.builder(bus, CODEC).config(config.build()).meterRegistry(registry).clock(clock)
                .build();
    }

    static TestWorker start() {
        return start(c -> { });
    }

    static TestWorker start(Consumer<HttpCommandServerConfig.Builder> customise) {
        return start("127.0.0.1", 0, customise, Clock.systemUTC());
    }

    static TestWorker start(String host, int port, Consumer<HttpCommandServerConfig.Builder> customise,
            Clock clock) {
        TestWorker w = new TestWorker(host, port, customise, clock);
        w.server.start();
        return w;
    }

    private void handle(Work work, HandlerContext<String> context) {
        invocations.incrementAndGet();
        entered.release();
        CountDownLatch g = gate.get();
        if (g != null) {
            try {
                if (!g.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the gate", e);
            }
        }
        RuntimeException f = failure.get();
        if (f != null) {
            throw f;
        }
        handled.add(context.envelope());
        context.result("done:" + work.key() + ":" + work.n());
    }

    /** Holds every handler at a gate until the returned latch is counted down. */
    CountDownLatch closeGate() {
        CountDownLatch g = new CountDownLatch(1);
        gate.set(g);
        return g;
    }

    int port() {
        return server.port();
    }

    InetSocketAddress address() {
        return server.address();
    }

    String endpoint() {
        return server.address().getHostString() + ":" + port();
    }

    List<String> handledKeys() {
        return handled.stream().map(e -> ((Work) e.command()).key()).toList();
    }

    static Envelope<Work> envelope(Work work) {
        MessageId id = IDS.get();
        return Envelope.builder(work).commandId(id).correlationId(id).createdAt(Instant.now()).build();
    }

    static byte[] encode(Envelope<?> envelope) {
        return CODEC.encodeCommand(envelope);
    }

    static byte[] encode(Work work) {
        return encode(envelope(work));
    }

    @Override
    public void close() {
        CountDownLatch g = gate.get();
        if (g != null) {
            g.countDown();
        }
        server.close();
    }
}
