package dev.trench.benchmarks;

import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.examples.auction.raisebid.AuctionRaised;
import dev.trench.transport.TypeRegistry;
import dev.trench.transport.WireCodec;
import dev.trench.transport.http.HttpCommandServer;
import dev.trench.transport.http.HttpCommandServerConfig;
import dev.trench.transport.http.HttpServerConfig;
import dev.trench.transport.zmq.ZmqBindConfig;
import dev.trench.transport.zmq.ZmqConnectConfig;
import dev.trench.transport.zmq.ZmqEventPublisher;
import dev.trench.transport.zmq.ZmqEventSubscriber;
import dev.trench.transport.zmq.ZmqSocketOptions;
import dev.trench.transport.zmq.ZmqTarget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Transport figures, each against a bare baseline measured in the same run (issue: "at least 0.8 of the bare
 * figure"):
 * <ul>
 *   <li><b>HTTP ack ingestion</b>: a fixed number of keep-alive connections post command envelopes in a closed loop,
 *       to Trench's {@link HttpCommandServer} (decode, validate, dedupe, queue, 202, then handle) and to a bare Netty
 *       server that answers 202 to the same bodies. Commands per second and p50/p99 ack latency.</li>
 *   <li><b>ZeroMQ event fan-out</b>: {@link ZmqEventPublisher} (Jackson encoding, sequence frame) to a
 *       {@link ZmqEventSubscriber} (decoding), against a bare JeroMQ PUSH to PULL carrying the same encoded bytes.
 *       Events per second.</li>
 * </ul>
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.trench.benchmarks.TransportBenchmarks [seconds] [connections] [all|http|zmq]</pre>
 */
public final class TransportBenchmarks {

    /** The command posted: small, like a bid. */
    public record Noop(String auctionId, BigDecimal amount) implements Command<Void> {
    }

    private static final CommandSpec<Noop> NOOP = CommandSpec.of(Noop.class, "bench.noop")
            .handler((Noop c, HandlerContext<Void> ctx) -> { })
            .build();

    private TransportBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        String only = args.length > 2 ? args[2] : "all";
        StringBuilder report = new StringBuilder();
        if (!only.equals("zmq")) {
            http(seconds, connections, report);
        }
        if (!only.equals("http")) {
            zmq(report);
        }
        System.out.println(report);
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    private static void http(int seconds, int connections, StringBuilder report) throws Exception {
        CommandBus bus = CommandBus.builder().register(NOOP).build();
        WireCodec codec = WireCodec.of(TypeRegistry.builder().registerCommands(bus.specs()).build());
        HttpCommandServer trench = HttpCommandServer.builder(bus, codec)
                .config(HttpCommandServerConfig.builder()
                        .server(HttpServerConfig.builder().name("bench-worker").host("127.0.0.1").port(0).build())
                        .queueCapacity(50_000).workerThreads(1).build())
                .build().start();
        BareNettyServer bare = new BareNettyServer();
        Supplier<MessageId> ids = MessageId.generator(Clock.systemUTC());
        try {
            byte[] template = codec.encodeCommand(Envelope.of(new Noop("A1", new BigDecimal("12.50")),
                    new MessageId(0, 0), new MessageId(0, 0), null, System.currentTimeMillis()));
            // warm both up, then measure each
            load("bare", bare.port, connections, 3, template, ids);
            load("trench", trench.port(), connections, 3, template, ids);
            HttpResult bareResult = load("bare", bare.port, connections, seconds, template, ids);
            HttpResult trenchResult = load("trench", trench.port(), connections, seconds, template, ids);
            report.append(String.format(Locale.ROOT, "%nHTTP ack ingestion, %d connections, %d s each, loopback%n",
                    connections, seconds));
            report.append("| server | commands/s | p50 ack (ms) | p99 ack (ms) | errors |\n|---|---:|---:|---:|---:|\n");
            report.append(bareResult.row("bare Netty, 202 to the same body"));
            report.append(trenchResult.row("Trench HttpCommandServer (ack mode)"));
            report.append(String.format(Locale.ROOT, "- Trench / bare throughput: %.2f (goal >= 0.8)%n",
                    trenchResult.perSecond() / bareResult.perSecond()));
        } finally {
            trench.close();
            bare.close();
        }
    }

    private record HttpResult(long requests, long errors, double seconds, Histogram latency) {
        double perSecond() {
            return requests / seconds;
        }

        String row(String name) {
            return String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.3f | %d |%n", name, perSecond(),
                    latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0, errors);
        }
    }

    /** Closed loop: each connection posts, reads the answer, posts again, until the time is up. */
    private static HttpResult load(String name, int port, int connections, int seconds, byte[] template,
            Supplier<MessageId> ids) throws Exception {
        String body = new String(template, StandardCharsets.UTF_8);
        String placeholder = new MessageId(0, 0).toString();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress("127.0.0.1", port));
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[8192];
                    while (System.nanoTime() < end) {
                        String id = ids.get().toString();
                        byte[] json = body.replace(placeholder, id).getBytes(StandardCharsets.UTF_8);
                        byte[] head = ("POST /commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                                + "\r\nContent-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                        long t0 = System.nanoTime();
                        out.write(head);
                        out.write(json);
                        out.flush();
                        int status = readResponse(in, buffer);
                        mine.recordValue(Math.min((System.nanoTime() - t0) / 1000, mine.getHighestTrackableValue()));
                        requests.incrementAndGet();
                        if (status != 202) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
                synchronized (total) {
                    total.add(mine);
                }
            }, "bench-" + name + "-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double took = (System.nanoTime() - start) / 1e9;
        return new HttpResult(requests.get(), errors.get(), took, total);
    }

    /** Reads one HTTP response (headers and a Content-Length body); returns its status. */
    private static int readResponse(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        int headerEnd = -1;
        while (headerEnd < 0) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            filled += n;
            for (int i = 3; i < filled; i++) {
                if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n') {
                    headerEnd = i + 1;
                    break;
                }
            }
        }
        String head = new String(buffer, 0, headerEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        int remaining = length - (filled - headerEnd);
        while (remaining > 0) {
            int n = in.read(buffer, 0, Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("connection closed in body");
            }
            remaining -= n;
        }
        return status;
    }

    /** The ceiling: Netty's HTTP codec and aggregator, answering 202 with a small JSON body to every POST. */
    private static final class BareNettyServer implements AutoCloseable {
        private static final byte[] ACK = "{\"accepted\":true}".getBytes(StandardCharsets.UTF_8);
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel channel;
        final int port;

        BareNettyServer() throws InterruptedException {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.ACCEPTED, Unpooled.wrappedBuffer(ACK));
                                            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                                            HttpUtil.setContentLength(res, ACK.length);
                                            ctx.writeAndFlush(res);
                                        }
                                    });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            port = ((InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- ZeroMQ -----------------------------------------------------------------------------------------------

    private static void zmq(StringBuilder report) throws Exception {
        int events = 200_000;
        TypeRegistry types = TypeRegistry.builder().registerEvent("auction.raised", AuctionRaised.class).build();
        WireCodec codec = WireCodec.of(types);
        Supplier<MessageId> ids = MessageId.generator(Clock.systemUTC());
        EventEnvelope<AuctionRaised> sample = event(ids, 1);
        byte[] encoded = codec.encodeEvent(sample);
        bareZmq(encoded, 20_000);
        trenchZmq(codec, ids, 20_000);
        double bare = bareZmq(encoded, events);
        double trench = trenchZmq(codec, ids, events);
        report.append(String.format(Locale.ROOT, "%nZeroMQ events, %d events of %d bytes, one publisher to one"
                + " subscriber, loopback%n", events, encoded.length));
        report.append("| path | events/s |\n|---|---:|\n");
        report.append(String.format(Locale.ROOT, "| bare JeroMQ PUSH -> PULL, same bytes | %.0f |%n", bare));
        report.append(String.format(Locale.ROOT,
                "| Trench ZmqEventPublisher -> ZmqEventSubscriber (Jackson encode + decode) | %.0f |%n", trench));
        report.append(String.format(Locale.ROOT, "- Trench / bare: %.2f (goal >= 0.8)%n", trench / bare));
    }

    private static EventEnvelope<AuctionRaised> event(Supplier<MessageId> ids, long seq) {
        MessageId id = ids.get();
        return new EventEnvelope<>(id, id, id, "auction.raise-bid", Instant.now(), Map.of(),
                new AuctionRaised("A1", new BigDecimal("12.50").add(BigDecimal.valueOf(seq)), "alice", seq,
                        Instant.now()));
    }

    private static double bareZmq(byte[] body, int events) throws InterruptedException {
        byte[] type = "auction.raised".getBytes(StandardCharsets.UTF_8);
        try (ZContext context = new ZContext()) {
            ZMQ.Socket pull = context.createSocket(SocketType.PULL);
            pull.setRcvHWM(100_000);
            int port = pull.bindToRandomPort("tcp://127.0.0.1");
            CountDownLatch done = new CountDownLatch(1);
            Thread receiver = new Thread(() -> {
                int received = 0;
                while (received < events) {
                    pull.recv();
                    if (!pull.hasReceiveMore()) {
                        received++;
                    }
                }
                done.countDown();
            }, "bench-bare-pull");
            receiver.start();
            ZMQ.Socket push = context.createSocket(SocketType.PUSH);
            push.setSndHWM(100_000);
            push.connect("tcp://127.0.0.1:" + port);
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                push.sendMore(type);
                push.send(body);
            }
            if (!done.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("bare ZeroMQ: not every event arrived");
            }
            double took = (System.nanoTime() - start) / 1e9;
            receiver.join();
            return events / took;
        }
    }

    /**
     * The high-water mark the bare sockets get (100 000 on PUSH and PULL), for Trench's sockets too: with the default
     * of 1000 the Trench run had 1/100 of the bare run's socket buffers, and measured that difference as well.
     */
    private static final ZmqSocketOptions SAME_HWM = ZmqSocketOptions.defaults().withHighWaterMark(100_000);

    /** The most events the Trench ZeroMQ run lets be published and not yet delivered. */
    private static final int IN_FLIGHT = 50_000;

    private static double trenchZmq(WireCodec codec, Supplier<MessageId> ids, int events) throws Exception {
        CountDownLatch done = new CountDownLatch(events);
        AtomicLong delivered = new AtomicLong();
        try (ZmqEventSubscriber subscriber = ZmqEventSubscriber.start(
                ZmqBindConfig.builder("bench-events", "tcp://127.0.0.1:*").socketOptions(SAME_HWM).build(), codec,
                e -> {
                    delivered.incrementAndGet();
                    done.countDown();
                }, null)) {
            try (ZmqEventPublisher publisher = ZmqEventPublisher.start(ZmqConnectConfig.builder("bench-events",
                    ZmqTarget.endpoints(subscriber.endpoint())).socketOptions(SAME_HWM).queueCapacity(100_000)
                    .sendTimeout(Duration.ofSeconds(30)).build(), codec, null)) {
                List<EventEnvelope<AuctionRaised>> batch = new ArrayList<>(events);
                for (int i = 0; i < events; i++) {
                    batch.add(event(ids, i + 1));
                }
                long start = System.nanoTime();
                long published = 0;
                for (EventEnvelope<AuctionRaised> e : batch) {
                    while (published - delivered.get() >= IN_FLIGHT) {
                        // flow control, as the bare PUSH socket gets from blocking at its high-water marks: keep the
                        // events in flight (publisher queue, per-endpoint backlog, socket pipes, subscriber) bounded.
                        // Bounding only the publisher's queue let the I/O thread's per-endpoint backlog grow past
                        // the queue capacity whenever the subscriber fell behind: the publisher then dropped events
                        // for that endpoint (as designed, counted endpoint-full) and the run waited 2 minutes for
                        // events that were never coming. Parking, not spinning: a spin would steal a core from the
                        // threads being measured.
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    }
                    published++;
                    if (publisher.publish(e).toCompletableFuture().isCompletedExceptionally()) {
                        throw new IllegalStateException("publish refused below the queue capacity");
                    }
                }
                if (!done.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("Trench ZeroMQ: " + done.getCount() + " events missing");
                }
                return events / ((System.nanoTime() - start) / 1e9);
            }
        }
    }
}
