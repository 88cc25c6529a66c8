package dev.trench.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Events, codec and raw sockets shared by the ZeroMQ tests. */
final class ZmqTestSupport {
    static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ZmqTestSupport() {
    }

    /** A test event: a phase ({@code probe}, {@code count}, ...) and a number. */
    record Tick(String phase, int n) {
    }

    static final String TICK = "test.tick";

    static WireCodec eventCodec() {
        return WireCodec.of(TypeRegistry.builder().registerEvent(TICK, Tick.class).build());
    }

    static EventEnvelope<Tick> tick(String phase, int n) {
        return new EventEnvelope<>(IDS.get(), IDS.get(), IDS.get(), "test.command", Instant.now(),
                Map.of("traceparent", "00-abc"), new Tick(phase, n));
    }

    static ZmqBindConfig bindAnyPort(String name) {
        return ZmqBindConfig.builder(name, "tcp://127.0.0.1:*").build();
    }

    /**
     * Publishes probe events until every queue has received one (a fresh ZeroMQ pipe may take a while, or stall:
     * nothing is assumed, it is observed), then a {@code sync} event, and waits until every queue has it: everything
     * published before has then arrived or is lost. Probe and sync events are removed from the queues.
     */
    @SafeVarargs
    static void awaitAllReceiving(ZmqEventPublisher publisher, BlockingQueue<EventEnvelope<?>>... queues)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        boolean[] probed = new boolean[queues.length];
        int n = 0;
        while (!allTrue(probed)) {
            assertThat(System.nanoTime()).as("every subscriber received a probe within %s", TIMEOUT)
                    .isLessThan(deadline);
            publisher.publish(tick("probe", n++)).toCompletableFuture().join();
            for (int i = 0; i < queues.length; i++) {
                EventEnvelope<?> e = queues[i].poll(20, TimeUnit.MILLISECONDS);
                while (e != null) {
                    if (((Tick) e.event()).phase().equals("probe")) {
                        probed[i] = true;
                    }
                    e = queues[i].poll();
                }
            }
        }
        publisher.publish(tick("sync", 0)).toCompletableFuture().join();
        for (BlockingQueue<EventEnvelope<?>> q : queues) {
            while (true) {
                EventEnvelope<?> e = q.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(e).as("the sync event arrived").isNotNull();
                if (((Tick) e.event()).phase().equals("sync")) {
                    break;
                }
            }
        }
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean v : values) {
            if (!v) {
                return false;
            }
        }
        return true;
    }

    /** Takes {@code count} events of {@code phase} off the queue, skipping other phases; fails on timeout. */
    static List<Integer> take(BlockingQueue<EventEnvelope<?>> queue, String phase, int count)
            throws InterruptedException {
        List<Integer> numbers = new ArrayList<>(count);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (numbers.size() < count) {
            long left = deadline - System.nanoTime();
            EventEnvelope<?> e = queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertThat(e).as("event %s of %s '%s' events within %s", numbers.size() + 1, count, phase, TIMEOUT)
                    .isNotNull();
            Tick t = (Tick) e.event();
            if (t.phase().equals(phase)) {
                numbers.add(t.n());
            }
        }
        return numbers;
    }

    static List<Integer> range(int count) {
        List<Integer> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(i);
        }
        return out;
    }

    /** Names of live threads of this transport. */
    static Set<String> trenchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("trench-zmq-")).collect(Collectors.toSet());
    }

    /**
     * A raw PUSH socket in a context of its own, for sending frames no Trench component would send. Like the
     * components, it waits for the ZMTP handshake before sending, and replaces a socket whose handshake stalls (see
     * the package documentation).
     */
    static final class RawPush implements AutoCloseable {
        private static final java.util.concurrent.atomic.AtomicInteger MONITORS =
                new java.util.concurrent.atomic.AtomicInteger();
        private final ZMQ.Context context = ZMQ.context(1);
        private ZMQ.Socket socket;

        @SuppressWarnings("deprecation") // ZMQ.Event reads what socket.monitor() writes
        RawPush(String endpoint) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                assertThat(System.nanoTime()).as("a handshake with %s within %s", endpoint, TIMEOUT)
                        .isLessThan(deadline);
                ZMQ.Socket s = context.socket(SocketType.PUSH);
                s.setLinger(5000); // closing waits until what was sent has left
                String monitorAddress = "inproc://raw-monitor-" + MONITORS.incrementAndGet();
                s.monitor(monitorAddress, ZMQ.EVENT_HANDSHAKE_PROTOCOL);
                ZMQ.Socket monitor = context.socket(SocketType.PAIR);
                monitor.setReceiveTimeOut(1000);
                monitor.connect(monitorAddress);
                s.connect(endpoint);
                ZMQ.Event handshake = ZMQ.Event.recv(monitor);
                monitor.close();
                if (handshake != null) {
                    socket = s;
                    return;
                }
                s.setLinger(0);
                s.close();
            }
        }

        void send(byte[]... frames) {
            for (int i = 0; i < frames.length; i++) {
                assertThat(socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0)).isTrue();
            }
        }

        @Override
        public void close() {
            socket.close();
            context.term();
        }
    }
}
