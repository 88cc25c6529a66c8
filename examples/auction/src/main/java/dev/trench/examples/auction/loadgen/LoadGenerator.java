package dev.trench.examples.auction.loadgen;

import dev.trench.examples.auction.loadgen.internal.ApiClient;
import dev.trench.examples.auction.loadgen.internal.Bid;
import dev.trench.examples.auction.loadgen.internal.BidPlan;
import dev.trench.examples.auction.loadgen.internal.Ledger;
import dev.trench.examples.auction.loadgen.internal.WsClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The auction cluster's load generator: opens websocket clients on the nodes, subscribes them to auctions, opens
 * sessions for its bidders through the API, sends bids at a fixed rate for a while, and counts what the clients
 * received. {@link #run()} returns a {@link Result}; {@link LoadgenCommand} is the command line around it. The rules
 * (assignment of clients, bids and invalid bids; what is expected, received, lost, duplicated, reordered; latency)
 * are in the {@linkplain dev.trench.examples.auction.loadgen package documentation}.
 *
 * <pre>{@code
 * LoadGenerator.Result r = new LoadGenerator(LoadGenerator.Options.builder()
 *         .api(URI.create("http://localhost:8080")).clients(200).rate(100).duration(Duration.ofSeconds(20))
 *         .build(), System.out::println).run();
 * System.out.println(r.line());
 * }</pre>
 *
 * A generator runs once; make another for another run.
 */
public final class LoadGenerator {
    private static final Pattern AUCTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int CONNECT_CONCURRENCY = 200;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long CHECK_MILLIS = 10;
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    private static final Duration AUCTION_LIFETIME = Duration.ofHours(1);

    private final Options options;
    private final Consumer<String> progress;
    private boolean used;

    /**
     * A generator that will run with {@code options}, writing its progress lines (one a second, plus a few about
     * setup) to {@code progress}.
     */
    public LoadGenerator(Options options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs: setup, the bids, the drain, the final count. Blocks for about the duration plus the drain.
     *
     * @throws SetupException       when the run could not start: an API call failed, a client could not connect or
     *                              subscribe within {@link Options#setupTimeout()}
     * @throws InterruptedException when interrupted; the clients are closed
     */
    public Result run() throws SetupException, InterruptedException {
        synchronized (this) {
            if (used) {
                throw new IllegalStateException("a LoadGenerator runs once; make another one");
            }
            used = true;
        }
        ExecutorService httpThreads = Executors.newCachedThreadPool(new DefaultThreadFactory("loadgen-http", true));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("loadgen-pacer", true));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.ioThreads(),
                new DefaultThreadFactory("loadgen-ws", true), NioIoHandler.newFactory());
        List<WsClient> clients = new ArrayList<>();
        try {
            return new Run(new ApiClient(options.api(), options.connectTimeout(), options.requestTimeout(),
                    httpThreads), pacer, group, clients).execute();
        } finally {
            pacer.shutdownNow();
            close(clients);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            httpThreads.shutdownNow();
        }
    }

    private static void close(List<WsClient> clients) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (WsClient c : clients) {
            c.closing();
            Channel ch = c.channel();
            if (ch != null && ch.isActive()) {
                closing.add(ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE,
                        "load generator done")).addListener(ChannelFutureListener.CLOSE));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** One auction of the run: its id, the increment its valid bids step by, and the next valid amount. */
    private static final class Lot {
        final String id;
        final BigDecimal increment;
        BigDecimal next;

        Lot(String id, BigDecimal increment, BigDecimal first) {
            this.id = id;
            this.increment = increment;
            this.next = first;
        }
    }

    /** The state of the one run. */
    private final class Run {
        private final ApiClient api;
        private final ScheduledExecutorService pacer;
        private final EventLoopGroup group;
        private final List<WsClient> clients;
        private final String runId = runId();
        private final Histogram latency = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        private Ledger ledger = new Ledger(List.of());
        private List<Lot> lots = List.of();
        private List<ApiClient.Session> sessions = List.of();

        Run(ApiClient api, ScheduledExecutorService pacer, EventLoopGroup group, List<WsClient> clients) {
            this.api = api;
            this.pacer = pacer;
            this.group = group;
            this.clients = clients;
        }

        Result execute() throws SetupException, InterruptedException {
            long setupDeadline = System.nanoTime() + options.setupTimeout().toNanos();
            lots = prepareAuctions(setupDeadline);
            ledger = new Ledger(lots.stream().map(l -> l.id).toList());
            sessions = openSessions(setupDeadline);
            ledger.bidders(sessions.stream().map(ApiClient.Session::userId).toList());
            connectClients(setupDeadline);
            progress.accept(String.format(Locale.ROOT,
                    "loadgen run %s: %d clients on %d node(s) subscribed to %d auction(s), %d bidder(s); "
                            + "%d bids/s for %s%s, %.0f%% invalid", runId, clients.size(),
                    options.websockets().size(), lots.size(), sessions.size(), options.rate(), options.duration(),
                    options.warmup().isZero() ? "" : " after a warmup of " + options.warmup(),
                    options.invalidShare() * 100));

            long start = System.nanoTime();
            ScheduledFuture<?> progressTask = pacer.scheduleAtFixedRate(() -> progressLine(start, false),
                    PROGRESS_INTERVAL.toNanos(), PROGRESS_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
            Bid[] bids;
            boolean drained;
            int unchecked;
            try {
                bids = sendBids(start);
                awaitCondition(() -> ledger.inFlight() == 0,
                        System.nanoTime() + options.requestTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1));
                long drainDeadline = System.nanoTime() + options.drainTimeout().toNanos();
                while (true) {
                    drained = awaitCondition(() -> ledger.inFlight() == 0 && ledger.openAcked() == 0
                            && ledger.missingSoFar() == 0, drainDeadline);
                    long[] before = tops();
                    unchecked = checkFinalState();
                    boolean settled = Arrays.equals(before, tops());
                    if (!drained || settled || System.nanoTime() >= drainDeadline) {
                        drained = drained && settled;
                        break;
                    }
                    // the API knows of accepted bids no client was shown yet: their frames may still be on the way
                }
            } finally {
                progressTask.cancel(false);
            }
            progressLine(start, true);
            return result(bids, drained, unchecked);
        }

        // ---- setup ------------------------------------------------------------------------------------------------

        private List<Lot> prepareAuctions(long deadline) throws SetupException, InterruptedException {
            List<Lot> result = new ArrayList<>();
            if (!options.reuseAuctions().isEmpty()) {
                List<CompletableFuture<Optional<ApiClient.AuctionState>>> states = new ArrayList<>();
                for (String id : options.reuseAuctions()) {
                    states.add(api.auction(id));
                }
                for (int i = 0; i < states.size(); i++) {
                    String id = options.reuseAuctions().get(i);
                    Optional<ApiClient.AuctionState> state = await(states.get(i), deadline, "GET /auctions/" + id);
                    if (state.isEmpty()) {
                        throw new SetupException("auction " + id + " does not exist (GET /auctions/" + id
                                + " answered 404)");
                    }
                    if (!state.get().status().isEmpty() && !"open".equals(state.get().status())) {
                        throw new SetupException("auction " + id + " is " + state.get().status() + ", not open");
                    }
                    // the API's own minimum increment and next bid when it says; else the options'
                    ApiClient.AuctionState s = state.get();
                    BigDecimal increment = s.minIncrement() != null && s.minIncrement().signum() > 0
                            ? s.minIncrement() : options.increment();
                    BigDecimal first = s.minimumNextBid() != null ? s.minimumNextBid()
                            : s.highest() == null ? options.startingPrice() : s.highest().add(increment);
                    result.add(new Lot(id, increment, first));
                }
                return result;
            }
            Instant endsAt = Instant.now().plus(options.duration()).plus(AUCTION_LIFETIME);
            List<CompletableFuture<Void>> opening = new ArrayList<>();
            for (int i = 1; i <= options.auctions(); i++) {
                String id = "lg-" + runId + "-" + i;
                result.add(new Lot(id, options.increment(), options.startingPrice()));
                opening.add(api.openAuction(id, "Load test lot " + i + " of run " + runId, options.startingPrice(),
                        options.increment(), endsAt));
            }
            for (int i = 0; i < opening.size(); i++) {
                await(opening.get(i), deadline, "POST /auctions (" + result.get(i).id + ")");
            }
            // the API answers 202 and a worker opens the auction a moment later: wait until every one is readable
            List<Lot> pending = new ArrayList<>(result);
            while (!pending.isEmpty()) {
                List<CompletableFuture<Optional<ApiClient.AuctionState>>> states = new ArrayList<>();
                for (Lot lot : pending) {
                    states.add(api.auction(lot.id));
                }
                List<Lot> still = new ArrayList<>();
                for (int i = 0; i < pending.size(); i++) {
                    if (await(states.get(i), deadline, "GET /auctions/" + pending.get(i).id).isEmpty()) {
                        still.add(pending.get(i));
                    }
                }
                pending = still;
                if (!pending.isEmpty()) {
                    if (System.nanoTime() >= deadline) {
                        throw new SetupException("auction " + pending.get(0).id + " was still unknown to GET "
                                + "/auctions/{id} " + options.setupTimeout() + " after POST /auctions answered");
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            progress.accept("loadgen: opened " + result.size() + " auction(s): " + result.get(0).id
                    + (result.size() > 1 ? " … " + result.get(result.size() - 1).id : ""));
            return result;
        }

        private List<ApiClient.Session> openSessions(long deadline) throws SetupException, InterruptedException {
            List<CompletableFuture<ApiClient.Session>> opening = new ArrayList<>();
            for (int b = 0; b < options.bidders(); b++) {
                opening.add(api.openSession("loadgen-" + runId + "-" + (b + 1)));
            }
            List<ApiClient.Session> result = new ArrayList<>();
            for (CompletableFuture<ApiClient.Session> f : opening) {
                result.add(await(f, deadline, "POST /session"));
            }
            return result;
        }

        private void connectClients(long deadline) throws SetupException, InterruptedException {
            int nodes = options.websockets().size();
            int m = lots.size();
            Map<URI, Bootstrap> bootstraps = new LinkedHashMap<>();
            Semaphore connecting = new Semaphore(CONNECT_CONCURRENCY);
            List<CompletableFuture<WsClient>> readies = new ArrayList<>();
            for (int i = 0; i < options.clients(); i++) {
                URI node = options.websockets().get(i % nodes);
                ApiClient.Session session = sessions.get(i % sessions.size());
                int first = (i / nodes) % m;
                int[] auctions = new int[options.subscriptionsPerClient()];
                for (int j = 0; j < auctions.length; j++) {
                    auctions[j] = (first + j) % m;
                }
                URI uri = withToken(node, session.token());
                WsClient client = new WsClient(i, uri, session.userId(), ledger, auctions);
                clients.add(client);
                ledger.watching(client.watches());
                long left = deadline - System.nanoTime();
                if (left <= 0 || !connecting.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    throw new SetupException("connecting " + options.clients() + " websocket clients took longer "
                            + "than " + options.setupTimeout() + " (" + i + " started)");
                }
                client.ready().whenComplete((c, e) -> connecting.release());
                readies.add(client.ready());
                Bootstrap bootstrap = bootstraps.computeIfAbsent(node, this::bootstrap);
                bootstrap.clone().handler(initializer(uri, client)).connect(node.getHost(), port(node))
                        .addListener((ChannelFutureListener) f -> {
                            if (!f.isSuccess()) {
                                client.ready().completeExceptionally(new IOException("cannot connect to "
                                        + node + ": " + f.cause()));
                            }
                        });
            }
            List<String> failures = new ArrayList<>();
            for (CompletableFuture<WsClient> r : readies) {
                long left = deadline - System.nanoTime();
                try {
                    r.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    failures.add(e.getCause().getMessage());
                } catch (TimeoutException e) {
                    failures.add("no confirmation of every subscription within " + options.setupTimeout());
                }
            }
            if (!failures.isEmpty()) {
                throw new SetupException(failures.size() + " of " + options.clients() + " websocket clients failed "
                        + "to connect and subscribe; first: " + failures.get(0));
            }
        }

        private Bootstrap bootstrap(URI node) {
            return new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                    .option(ChannelOption.TCP_NODELAY, true);
        }

        private ChannelInitializer<SocketChannel> initializer(URI uri, WsClient client) {
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri)
                    .version(WebSocketVersion.V13)
                    .allowExtensions(false)
                    .maxFramePayloadLength(1 << 20)
                    .handshakeTimeoutMillis(options.connectTimeout().toMillis())
                    .dropPongFrames(true)
                    .handleCloseFrames(false)
                    .build();
            SslContext ssl = "wss".equalsIgnoreCase(uri.getScheme()) ? sslContext() : null;
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                        p.addLast(ssl.newHandler(ch.alloc(), uri.getHost(), port(uri)));
                    }
                    p.addLast(new HttpClientCodec());
                    p.addLast(new HttpObjectAggregator(65_536));
                    p.addLast(new WebSocketClientProtocolHandler(config));
                    p.addLast(new WebSocketFrameAggregator(1 << 20));
                    p.addLast(client);
                }
            };
        }

        // ---- the bids ---------------------------------------------------------------------------------------------

        private Bid[] sendBids(long start) throws InterruptedException {
            long total = options.totalBids();
            Bid[] bids = new Bid[(int) total];
            BidPlan plan = new BidPlan(lots.size(), sessions.size(), options.invalidShare());
            CompletableFuture<Void> done = new CompletableFuture<>();
            long[] next = {0};
            ScheduledFuture<?> ticks = pacer.scheduleAtFixedRate(() -> {
                try {
                    long elapsed = System.nanoTime() - start;
                    long due = Math.min(total, (long) (elapsed / 1e9 * options.rate()) + 1);
                    while (next[0] < due) {
                        long n = next[0]++;
                        bids[(int) n] = send(plan, n);
                    }
                    if (next[0] >= total) {
                        done.complete(null);
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
            try {
                done.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the pacer failed", e.getCause());
            } finally {
                ticks.cancel(false);
            }
            // the pacer's writes to bids happen before done completes
            return bids;
        }

        private final long warmupBids = options.warmupBids();

        private Bid send(BidPlan plan, long n) {
            int a = plan.auction(n);
            int b = plan.bidder(n);
            BidPlan.Kind kind = plan.kind(n);
            Lot lot = lots.get(a);
            BigDecimal amount;
            String body;
            switch (kind) {
                case VALID -> {
                    amount = lot.next;
                    lot.next = lot.next.add(lot.increment);
                    body = "{\"amount\":\"" + amount.toPlainString() + "\"}";
                }
                case TOO_LOW -> {
                    amount = BidPlan.TOO_LOW_AMOUNT;
                    body = "{\"amount\":\"" + amount.toPlainString() + "\"}";
                }
                default -> {
                    amount = null;
                    body = plan.malformedBody(n);
                }
            }
            Bid bid = new Bid(n, a, b, kind, amount, System.nanoTime(), n >= warmupBids);
            ledger.sending(bid);
            api.bid(lot.id, sessions.get(b).token(), body).whenComplete((r, e) -> {
                if (e != null) {
                    ledger.failed(bid);
                } else {
                    int status = r.statusCode();
                    ledger.answered(bid, status, status / 100 == 2 ? ApiClient.commandIdOf(r.body()) : null);
                }
            });
            return bid;
        }

        private synchronized void progressLine(long start, boolean last) {
            try {
                ledger.drainLatency(latency);
                Ledger.Counters c = ledger.counters();
                long seconds = Math.round((System.nanoTime() - start) / 1e9);
                progress.accept(String.format(Locale.ROOT,
                        "progress t=%ds sent=%d acked=%d rejected=%d throttled=%d unavailable=%d failed=%d "
                                + "frames=%d duplicates=%d reordered=%d p99_ms=%s%s",
                        seconds, c.sent(), c.acked(), c.rejected(), c.throttled(), c.unavailable(), c.failed(),
                        c.framesReceived(), c.duplicates(), c.reordered(),
                        millis(latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99.0)),
                        last ? " (end)" : ""));
            } catch (RuntimeException e) {
                progress.accept("progress failed: " + e);
            }
        }

        // ---- the end ----------------------------------------------------------------------------------------------

        private long[] tops() {
            long[] tops = new long[lots.size()];
            for (int a = 0; a < tops.length; a++) {
                tops[a] = ledger.highestShown(a);
            }
            return tops;
        }

        /** Reads every auction's final sequence number from the API; returns how many could not be read. */
        private int checkFinalState() throws InterruptedException {
            List<CompletableFuture<Optional<ApiClient.AuctionState>>> states = new ArrayList<>();
            for (Lot lot : lots) {
                states.add(api.auction(lot.id));
            }
            int unchecked = 0;
            long deadline = System.nanoTime() + options.requestTimeout().toNanos();
            for (int a = 0; a < states.size(); a++) {
                try {
                    Optional<ApiClient.AuctionState> state = states.get(a)
                            .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (state.isPresent()) {
                        ledger.knownSeq(a, state.get().seq());
                    } else {
                        unchecked++;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    unchecked++;
                }
            }
            return unchecked;
        }

        private synchronized Result result(Bid[] bids, boolean drained, int unchecked) throws InterruptedException {
            long[] top = tops();
            long[] sums = new long[7];
            for (WsClient c : clients) {
                Channel ch = c.channel();
                long[] mine = new long[7];
                try {
                    if (ch != null) {
                        ch.eventLoop().submit(() -> c.tally(top, mine)).get(10, TimeUnit.SECONDS);
                    } else {
                        c.tally(top, mine);
                    }
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("cannot read the counts of client " + c.index(), e);
                }
                for (int k = 0; k < sums.length; k++) {
                    sums[k] += mine[k];
                }
            }
            long sent = 0;
            long validSent = 0;
            long acked = 0;
            long rejected = 0;
            long rejectedValid = 0;
            long throttled = 0;
            long unavailable = 0;
            long failed = 0;
            long unresolved = 0;
            for (Bid bid : bids) {
                if (bid == null) {
                    continue;
                }
                sent++;
                boolean valid = bid.kind() == BidPlan.Kind.VALID;
                if (valid) {
                    validSent++;
                }
                switch (bid.answer()) {
                    case ACKED -> acked++;
                    case THROTTLED -> throttled++;
                    case UNAVAILABLE -> unavailable++;
                    case FAILED, PENDING -> failed++;
                    default -> {
                    }
                }
                if (bid.answer() == Bid.Answer.REFUSED || bid.rejected()) {
                    rejected++;
                    if (valid) {
                        rejectedValid++;
                    }
                } else if (bid.answer() == Bid.Answer.ACKED && !bid.raised()) {
                    unresolved++;
                }
            }
            ledger.drainLatency(latency);
            boolean any = latency.getTotalCount() > 0;
            Ledger.Counters c = ledger.counters();
            Details details = new Details(validSent, sent - validSent, throttled, unavailable, failed,
                    rejectedValid, rejected - rejectedValid, ledger.invalidAccepted(), unresolved,
                    ledger.foreignRaised(), sums[5], c.errorFrames(), c.malformedFrames(), c.unexpectedFrames(),
                    c.disconnects(), c.userMismatches(), latency.getTotalCount(), drained, unchecked);
            return new Result(sent, acked, rejected, clients.size(), sums[0], sums[1], sums[2], sums[3], sums[4],
                    any ? latency.getValueAtPercentile(50.0) / 1000.0 : 0,
                    any ? latency.getValueAtPercentile(99.0) / 1000.0 : 0,
                    any ? latency.getMaxValue() / 1000.0 : 0, details);
        }

        // ---- helpers ----------------------------------------------------------------------------------------------

        private <T> T await(CompletableFuture<T> future, long deadline, String what)
                throws SetupException, InterruptedException {
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                        ? ce.getCause() : e.getCause();
                throw new SetupException(what + " failed: " + cause.getMessage(), cause);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new SetupException(what + " got no answer within the setup timeout " + options.setupTimeout());
            }
        }
    }

    /** Waits until {@code condition} holds (checked every few milliseconds) or {@code deadline} passes. */
    private static boolean awaitCondition(BooleanSupplier condition, long deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return condition.getAsBoolean();
            }
            TimeUnit.MILLISECONDS.sleep(CHECK_MILLIS);
        }
        return true;
    }

    private static URI withToken(URI node, String token) {
        String s = node.toString();
        String query = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return URI.create(s + (node.getRawQuery() == null ? "?" : "&") + query);
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static SslContext sslContext() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS context for wss", e);
        }
    }

    private static String runId() {
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder();
        String digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < 6; i++) {
            s.append(digits.charAt(random.nextInt(digits.length())));
        }
        return s.toString();
    }

    private static String millis(double micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    // ---- options --------------------------------------------------------------------------------------------------

    /**
     * What a run does. Immutable; made with {@link #builder()} (every field has a default), derived with
     * {@link #toBuilder()}; the constructor reports every invalid value at once, naming the field and the value.
     *
     * @param api                    the API's base URL; default {@code http://localhost:8080}
     * @param websockets             the websocket nodes' URLs, clients spread over them round-robin; default
     *                               {@code ws://localhost:8081/ws} and {@code ws://localhost:8082/ws}
     * @param clients                websocket clients; default 100
     * @param auctions               auctions to open with fresh ids (used when {@code reuseAuctions} is empty);
     *                               default 2
     * @param reuseAuctions          existing auctions to bid on instead of opening new ones; default none
     * @param subscriptionsPerClient auctions each client subscribes to; default 1
     * @param rate                   bids per second; default 50
     * @param duration               how long bids are sent (after the warmup); default 20 s
     * @param warmup                 how long bids are sent before the duration (at the same rate, counted like the
     *                               others) without recording their latency: the JIT of both sides warms up;
     *                               default 0
     * @param invalidShare           the share of invalid bids, in [0, 1]; default 0.1
     * @param bidders                sessions opened through the API, each bid made by one of them; at most
     *                               {@code clients} (every bidder has a websocket client, which receives its
     *                               {@code BidRejected} frames). Each bids {@code rate / bidders} times a second:
     *                               keep it under the API's per-user limit (5 by default). Default 50
     * @param startingPrice          the starting price of opened auctions (and the first bid on a reused auction
     *                               when the API does not give its {@code minimumNextBid}); more than 0.01, at
     *                               most two decimals; default 10.00
     * @param increment              the minimum increment of opened auctions, and the step of valid bids (on a
     *                               reused auction, the step is its {@code minIncrement} when the API gives it);
     *                               default 1.00
     * @param connectTimeout         TCP connect and websocket handshake; default 10 s
     * @param requestTimeout         each HTTP request; default 10 s
     * @param setupTimeout           the whole setup (auctions, sessions, clients connected and subscribed);
     *                               default 60 s
     * @param drainTimeout           after the last bid's answer, how long to wait for outstanding frames; default
     *                               10 s
     * @param ioThreads              threads of the websocket clients; default one per core
     */
    public record Options(URI api, List<URI> websockets, int clients, int auctions, List<String> reuseAuctions,
            int subscriptionsPerClient, int rate, Duration duration, Duration warmup, double invalidShare, int bidders,
            BigDecimal startingPrice, BigDecimal increment, Duration connectTimeout, Duration requestTimeout,
            Duration setupTimeout, Duration drainTimeout, int ioThreads) {

        /** The most bids one run sends. */
        public static final long MAX_BIDS = 50_000_000L;

        /** Validates every field; the message lists each problem, numbered. */
        public Options {
            websockets = websockets == null ? null : List.copyOf(websockets);
            reuseAuctions = reuseAuctions == null ? null : List.copyOf(reuseAuctions);
            List<String> problems = new ArrayList<>();
            if (api == null || !("http".equalsIgnoreCase(api.getScheme()) || "https".equalsIgnoreCase(api.getScheme()))
                    || api.getHost() == null) {
                problems.add("api: expected an http:// or https:// URL with a host, was " + api);
            }
            if (websockets == null || websockets.isEmpty()) {
                problems.add("websockets: expected at least one ws:// or wss:// URL, was " + websockets);
            } else {
                for (URI ws : websockets) {
                    if (ws == null || !("ws".equalsIgnoreCase(ws.getScheme()) || "wss".equalsIgnoreCase(ws.getScheme()))
                            || ws.getHost() == null) {
                        problems.add("websockets: expected a ws:// or wss:// URL with a host, was " + ws);
                    }
                }
            }
            if (clients < 1) {
                problems.add("clients: must be at least 1, was " + clients);
            }
            if (reuseAuctions == null) {
                problems.add("reuseAuctions: must not be null (empty to open auctions)");
            } else if (reuseAuctions.isEmpty()) {
                if (auctions < 1) {
                    problems.add("auctions: must be at least 1, was " + auctions);
                }
            } else {
                for (String id : reuseAuctions) {
                    if (id == null || !AUCTION_ID.matcher(id).matches()) {
                        problems.add("reuseAuctions: expected auction ids of 1-64 letters, digits, '-' or '_', was "
                                + id);
                    }
                }
                if (reuseAuctions.stream().distinct().count() != reuseAuctions.size()) {
                    problems.add("reuseAuctions: an auction is listed twice in " + reuseAuctions);
                }
            }
            int m = reuseAuctions == null || reuseAuctions.isEmpty() ? auctions : reuseAuctions.size();
            if (subscriptionsPerClient < 1 || (m >= 1 && subscriptionsPerClient > m)) {
                problems.add("subscriptionsPerClient: must be between 1 and the number of auctions (" + m
                        + "), was " + subscriptionsPerClient);
            }
            if (rate < 1) {
                problems.add("rate: must be at least 1 bid per second, was " + rate);
            }
            if (duration == null || duration.isNegative() || duration.isZero()) {
                problems.add("duration: must be positive, was " + duration);
            } else if (rate >= 1) {
                double bids = duration.toNanos() / 1e9 * rate;
                if (bids < 1) {
                    problems.add("duration: " + duration + " at " + rate + " bids/s is less than one bid");
                } else if (bids > MAX_BIDS) {
                    problems.add("duration: " + duration + " at " + rate + " bids/s is more than " + MAX_BIDS
                            + " bids");
                }
            }
            if (warmup == null || warmup.isNegative()) {
                problems.add("warmup: must be zero or positive, was " + warmup);
            }
            if (!(invalidShare >= 0 && invalidShare <= 1)) {
                problems.add("invalidShare: must be between 0 and 1, was " + invalidShare);
            }
            if (bidders < 1 || bidders > clients) {
                problems.add("bidders: must be between 1 and clients (" + clients + "), so that each bidder has a "
                        + "websocket client, was " + bidders);
            }
            if (startingPrice == null || startingPrice.compareTo(BidPlan.TOO_LOW_AMOUNT) <= 0
                    || startingPrice.stripTrailingZeros().scale() > 2) {
                problems.add("startingPrice: must be more than " + BidPlan.TOO_LOW_AMOUNT.toPlainString()
                        + " (the amount of too-low bids) with at most two decimals, was "
                        + (startingPrice == null ? null : startingPrice.toPlainString()));
            }
            if (increment == null || increment.signum() <= 0 || increment.stripTrailingZeros().scale() > 2) {
                problems.add("increment: must be positive with at most two decimals, was "
                        + (increment == null ? null : increment.toPlainString()));
            }
            positive(problems, "connectTimeout", connectTimeout);
            positive(problems, "requestTimeout", requestTimeout);
            positive(problems, "setupTimeout", setupTimeout);
            positive(problems, "drainTimeout", drainTimeout);
            if (ioThreads < 1) {
                problems.add("ioThreads: must be at least 1, was " + ioThreads);
            }
            if (!problems.isEmpty()) {
                StringBuilder message = new StringBuilder("invalid load generator options:");
                for (int i = 0; i < problems.size(); i++) {
                    message.append("\n  ").append(i + 1).append(". ").append(problems.get(i));
                }
                throw new IllegalArgumentException(message.toString());
            }
            startingPrice = startingPrice.setScale(2);
            increment = increment.setScale(2);
        }

        private static void positive(List<String> problems, String field, @Nullable Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                problems.add(field + ": must be positive, was " + value);
            }
        }

        /** How many bids the run sends: {@code rate × (warmup + duration)}, rounded. */
        public long totalBids() {
            return warmupBids() + Math.round(duration.toNanos() / 1e9 * rate);
        }

        /** How many of them are sent during the warmup (the first ones): {@code rate × warmup}, rounded. */
        public long warmupBids() {
            return Math.round(warmup.toNanos() / 1e9 * rate);
        }

        /** How many auctions the run bids on. */
        public int auctionCount() {
            return reuseAuctions.isEmpty() ? auctions : reuseAuctions.size();
        }

        /** A builder with every default. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these options. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /** Builds {@link Options}; {@link #build()} validates. */
        public static final class Builder {
            private URI api = URI.create("http://localhost:8080");
            private List<URI> websockets = List.of(URI.create("ws://localhost:8081/ws"),
                    URI.create("ws://localhost:8082/ws"));
            private int clients = 100;
            private int auctions = 2;
            private List<String> reuseAuctions = List.of();
            private int subscriptionsPerClient = 1;
            private int rate = 50;
            private Duration duration = Duration.ofSeconds(20);
            private Duration warmup = Duration.ZERO;
            private double invalidShare = 0.1;
            private int bidders = 50;
            private BigDecimal startingPrice = new BigDecimal("10.00");
            private BigDecimal increment = new BigDecimal("1.00");
            private Duration connectTimeout = Duration.ofSeconds(10);
            private Duration requestTimeout = Duration.ofSeconds(10);
            private Duration setupTimeout = Duration.ofSeconds(60);
            private Duration drainTimeout = Duration.ofSeconds(10);
            private int ioThreads = Runtime.getRuntime().availableProcessors();

            private Builder() {
            }

            private Builder(Options o) {
                api = o.api;
                websockets = o.websockets;
                clients = o.clients;
                auctions = o.auctions;
                reuseAuctions = o.reuseAuctions;
                subscriptionsPerClient = o.subscriptionsPerClient;
                rate = o.rate;
                duration = o.duration;
                warmup = o.warmup;
                invalidShare = o.invalidShare;
                bidders = o.bidders;
                startingPrice = o.startingPrice;
                increment = o.increment;
                connectTimeout = o.connectTimeout;
                requestTimeout = o.requestTimeout;
                setupTimeout = o.setupTimeout;
                drainTimeout = o.drainTimeout;
                ioThreads = o.ioThreads;
            }

            /** See {@link Options#api()}. */
            public Builder api(URI value) {
                api = value;
                return this;
            }

            /** See {@link Options#websockets()}. */
            public Builder websockets(List<URI> value) {
                websockets = value;
                return this;
            }

            /** See {@link Options#clients()}. */
            public Builder clients(int value) {
                clients = value;
                return this;
            }

            /** See {@link Options#auctions()}. */
            public Builder auctions(int value) {
                auctions = value;
                return this;
            }

            /** See {@link Options#reuseAuctions()}. */
            public Builder reuseAuctions(List<String> value) {
                reuseAuctions = value;
                return this;
            }

            /** See {@link Options#subscriptionsPerClient()}. */
            public Builder subscriptionsPerClient(int value) {
                subscriptionsPerClient = value;
                return this;
            }

            /** See {@link Options#rate()}. */
            public Builder rate(int value) {
                rate = value;
                return this;
            }

            /** See {@link Options#duration()}. */
            public Builder duration(Duration value) {
                duration = value;
                return this;
            }

            /** See {@link Options#warmup()}. */
            public Builder warmup(Duration value) {
                warmup = value;
                return this;
            }

            /** See {@link Options#invalidShare()}. */
            public Builder invalidShare(double value) {
                invalidShare = value;
                return this;
            }

            /** See {@link Options#bidders()}. */
            public Builder bidders(int value) {
                bidders = value;
                return this;
            }

            /** See {@link Options#startingPrice()}. */
            public Builder startingPrice(BigDecimal value) {
                startingPrice = value;
                return this;
            }

            /** See {@link Options#increment()}. */
            public Builder increment(BigDecimal value) {
                increment = value;
                return this;
            }

            /** See {@link Options#connectTimeout()}. */
            public Builder connectTimeout(Duration value) {
                connectTimeout = value;
                return this;
            }

            /** See {@link Options#requestTimeout()}. */
            public Builder requestTimeout(Duration value) {
                requestTimeout = value;
                return this;
            }

            /** See {@link Options#setupTimeout()}. */
            public Builder setupTimeout(Duration value) {
                setupTimeout = value;
                return this;
            }

            /** See {@link Options#drainTimeout()}. */
            public Builder drainTimeout(Duration value) {
                drainTimeout = value;
                return this;
            }

            /** See {@link Options#ioThreads()}. */
            public Builder ioThreads(int value) {
                ioThreads = value;
                return this;
            }

            /** The options; throws {@link IllegalArgumentException} listing every invalid value. */
            public Options build() {
                return new Options(api, websockets, clients, auctions, reuseAuctions, subscriptionsPerClient, rate,
                        duration, warmup, invalidShare, bidders, startingPrice, increment, connectTimeout, requestTimeout,
                        setupTimeout, drainTimeout, ioThreads);
            }
        }
    }

    // ---- result ---------------------------------------------------------------------------------------------------

    /**
     * What a run counted. The first twelve components are the {@code RESULT} line's, in its order; their definitions
     * are in the {@linkplain dev.trench.examples.auction.loadgen package documentation}. {@link #details()} holds the
     * rest, printed on the {@code DETAILS} line.
     *
     * @param bidsSent       bid POSTs started
     * @param bidsAcked      bids the API answered 2xx
     * @param bidsRejected   bids refused on their merits: a 400/404/409/422 from the API, or a {@code BidRejected}
     *                       frame carrying the bid's command id at one of its bidder's clients
     * @param wsClients      websocket clients connected with every subscription confirmed
     * @param framesExpected for every client and auction it watched, the accepted sequence numbers after its base
     * @param framesReceived of those, the ones it received as {@code AuctionRaised} (each once)
     * @param lost           {@code framesExpected - framesReceived}
     * @param duplicates     {@code AuctionRaised} frames a client received again
     * @param reordered      {@code AuctionRaised} frames a client received after a higher sequence number
     * @param p50Ms          median bid-to-client latency (bids sent after the warmup), milliseconds
     * @param p99Ms          99th percentile, milliseconds
     * @param maxMs          maximum, milliseconds
     * @param details        the other counts
     */
    public record Result(long bidsSent, long bidsAcked, long bidsRejected, int wsClients, long framesExpected,
            long framesReceived, long lost, long duplicates, long reordered, double p50Ms, double p99Ms,
            double maxMs, Details details) {

        /** The keys of the {@code RESULT} line, in order. */
        public static final List<String> KEYS = List.of("bids_sent", "bids_acked", "bids_rejected", "ws_clients",
                "frames_expected", "frames_received", "lost", "duplicates", "reordered", "p50_ms", "p99_ms",
                "max_ms");

        /** The {@code RESULT} line: {@code RESULT } then the twelve {@link #KEYS} as {@code key=value}, in order. */
        public String line() {
            return String.format(Locale.ROOT, "RESULT bids_sent=%d bids_acked=%d bids_rejected=%d ws_clients=%d "
                            + "frames_expected=%d frames_received=%d lost=%d duplicates=%d reordered=%d "
                            + "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", bidsSent, bidsAcked, bidsRejected, wsClients,
                    framesExpected, framesReceived, lost, duplicates, reordered, p50Ms, p99Ms, maxMs);
        }

        /**
         * Reads a {@code RESULT} line (as another process printed it) into its values by key, in order.
         *
         * @throws IllegalArgumentException when it is not exactly {@code RESULT} and the twelve keys in order
         */
        public static Map<String, String> parse(String line) {
            if (!line.startsWith("RESULT ")) {
                throw new IllegalArgumentException("not a RESULT line: " + line);
            }
            String[] pairs = line.substring("RESULT ".length()).split(" ");
            if (pairs.length != KEYS.size()) {
                throw new IllegalArgumentException("expected " + KEYS.size() + " key=value pairs, found "
                        + pairs.length + ": " + line);
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < pairs.length; i++) {
                int eq = pairs[i].indexOf('=');
                String key = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
                if (eq < 1 || !key.equals(KEYS.get(i)) || eq == pairs[i].length() - 1) {
                    throw new IllegalArgumentException("expected " + KEYS.get(i) + "=<value> as pair " + (i + 1)
                            + ", found " + pairs[i]);
                }
                values.put(key, pairs[i].substring(eq + 1));
            }
            return Collections.unmodifiableMap(values);
        }

        /** Why the run failed; empty when it passed. */
        public List<String> failures() {
            List<String> f = new ArrayList<>();
            if (bidsSent == 0) {
                f.add("no bid was sent");
            } else if (bidsAcked == 0) {
                f.add("no bid was acked");
            }
            if (lost > 0) {
                f.add(lost + " frame(s) lost");
            }
            if (reordered > 0) {
                f.add(reordered + " frame(s) reordered");
            }
            if (duplicates > 0) {
                f.add(duplicates + " duplicate frame(s)");
            }
            if (details.invalidAccepted() > 0) {
                f.add(details.invalidAccepted() + " invalid bid(s) accepted");
            }
            return f;
        }

        /** Whether nothing was lost, reordered or duplicated, no invalid bid accepted, and bids were sent and acked. */
        public boolean passed() {
            return failures().isEmpty();
        }

        /** 0 when {@link #passed()}, else 1. */
        public int exitCode() {
            return passed() ? 0 : 1;
        }
    }

    /**
     * The counts behind the {@code RESULT} line, printed on the {@code DETAILS} line.
     *
     * @param validSent         valid bids sent
     * @param invalidSent       invalid bids sent (too low, or malformed)
     * @param throttled         bids answered 429 (the bidder's rate limit): not acked, not a cluster error
     * @param unavailable       bids answered 503 (overload): not acked, not a delivery error
     * @param failed            bids with another answer (401, 403, another 5xx) or none (timeout, connection error)
     * @param rejectedValid     valid bids refused: usually raced past by a higher bid of the same auction on the way
     * @param rejectedInvalid   invalid bids refused, as they should be
     * @param invalidAccepted   accepted sequence numbers with the too-low amount: invalid bids the cluster took
     * @param unresolved        acked bids whose outcome (an {@code AuctionRaised} of their amount, or a
     *                          {@code BidRejected} of their command id) no client saw
     * @param foreignRaised     accepted sequence numbers whose amount matched no bid of the run (another bidder on a
     *                          reused auction)
     * @param resyncs           {@code Snapshot} frames after the first of a subscription (the node resynchronised)
     * @param errorFrames       {@code Error} frames during the run
     * @param malformedFrames   frames that could not be read
     * @param unexpectedFrames  frames of an unknown type or for an auction the client did not subscribe to
     * @param disconnects       clients whose connection closed during the run
     * @param userMismatches    {@code AuctionRaised} frames naming another user than the bid's bidder
     * @param latencySamples    latencies recorded (one per client and accepted bid of the run received, bids of the
     *                          warmup excepted)
     * @param drained           whether every expected frame and every acked bid's outcome arrived before the drain
     *                          timeout
     * @param auctionsUnchecked auctions whose final state could not be read from the API (their expected frames
     *                          count only what some client was shown)
     */
    public record Details(long validSent, long invalidSent, long throttled, long unavailable, long failed,
            long rejectedValid, long rejectedInvalid, long invalidAccepted, long unresolved, long foreignRaised,
            long resyncs, long errorFrames, long malformedFrames, long unexpectedFrames, long disconnects,
            long userMismatches, long latencySamples, boolean drained, int auctionsUnchecked) {

        /** The {@code DETAILS} line: {@code DETAILS } then every component as {@code key=value}. */
        public String line() {
            return "DETAILS valid_sent=" + validSent + " invalid_sent=" + invalidSent + " throttled=" + throttled
                    + " unavailable=" + unavailable + " failed=" + failed + " rejected_valid=" + rejectedValid
                    + " rejected_invalid=" + rejectedInvalid + " invalid_accepted=" + invalidAccepted
                    + " unresolved=" + unresolved + " foreign_raised=" + foreignRaised + " resyncs=" + resyncs
                    + " error_frames=" + errorFrames + " malformed_frames=" + malformedFrames + " unexpected_frames="
                    + unexpectedFrames + " disconnects=" + disconnects + " user_mismatches=" + userMismatches
                    + " latency_samples=" + latencySamples + " drained=" + drained + " auctions_unchecked="
                    + auctionsUnchecked;
        }
    }

    /** The run could not start: the cluster is unreachable, or refused the setup. */
    public static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        /** A setup failure described by {@code message}. */
        public SetupException(String message) {
            super(message);
        }

        /** A setup failure described by {@code message}, caused by {@code cause}. */
        public SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
