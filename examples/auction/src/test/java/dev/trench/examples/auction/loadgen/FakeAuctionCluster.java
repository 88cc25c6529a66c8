package dev.trench.examples.auction.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A small, real auction cluster for the load generator's tests, on loopback: the API (JDK {@link HttpServer}:
 * sessions, opening and reading auctions, bids answered 202 with a command id, 400 for a malformed amount, 401
 * without a valid token) and websocket nodes (Netty, {@code /ws?token=…}: {@code {"subscribe": id}} answered with a
 * {@code Snapshot}, then {@code AuctionRaised} frames; {@code BidRejected} to the bidder's sessions). One "worker"
 * thread places the bids in the order the API received them and fans the frames out, so every session sees them in
 * order, unless a {@link Fault} is planted: it then hits exactly one frame of one session (the first subscriber of the
 * first auction to reach seq 3).
 */
final class FakeAuctionCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AMOUNT = Pattern.compile("\\d+(\\.\\d{1,2})?");
    private static final AttributeKey<String> USER = AttributeKey.valueOf("fake-user");

    /** What the cluster gets wrong, once. */
    enum Fault {
        /** Nothing. */
        NONE,
        /** The AuctionRaised of seq 3 is not sent to one session. */
        DROP_ONE,
        /** The AuctionRaised of seq 3 is sent twice to one session. */
        DUPLICATE_ONE,
        /** The AuctionRaised of seq 3 is sent to one session after seq 4. */
        REORDER_ONE,
        /** Not a delivery fault: every fifth bid is answered 429 with Retry-After. */
        THROTTLE_EVERY_FIFTH
    }

    private static final class Auction {
        final String id;
        final String title;
        final BigDecimal startingPrice;
        final BigDecimal increment;
        final Instant endsAt;
        BigDecimal highest;
        String leader;
        long seq;
        final List<Channel> subscribers = new ArrayList<>();

        Auction(String id, String title, BigDecimal startingPrice, BigDecimal increment, Instant endsAt) {
            this.id = id;
            this.title = title;
            this.startingPrice = startingPrice;
            this.increment = increment;
            this.endsAt = endsAt;
        }

        BigDecimal minimumNext() {
            return highest == null ? startingPrice : highest.add(increment);
        }
    }

    private final Fault fault;
    private final HttpServer http;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4);
    /** The worker: places bids, opens auctions, handles subscriptions, fans out; one thread, so one order. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Channel> servers = new ArrayList<>();
    private final Map<String, String> userByToken = new ConcurrentHashMap<>();
    private final Map<String, Auction> auctions = new ConcurrentHashMap<>();
    private final Map<String, Set<Channel>> sessionsByUser = new HashMap<>();
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicInteger bidsReceived = new AtomicInteger();

    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong workerRejections = new AtomicLong();
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicInteger faultsApplied = new AtomicInteger();
    private boolean faultDone;
    private Channel victim;
    private String heldFrame;

    /** Starts the API and {@code nodes} websocket nodes on free loopback ports. */
    FakeAuctionCluster(Fault fault, int nodes) throws Exception {
        this.fault = fault;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        http.setExecutor(httpThreads);
        http.createContext("/", this::handle);
        http.start();
        for (int i = 0; i < nodes; i++) {
            servers.add(new ServerBootstrap()
                    .group(boss, io)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new TokenGate(),
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath("/ws").checkStartsWith(true).build()),
                                    new Session());
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel());
        }
    }

    URI api() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    List<URI> websockets() {
        return servers.stream()
                .map(s -> URI.create("ws://127.0.0.1:" + ((InetSocketAddress) s.localAddress()).getPort() + "/ws"))
                .toList();
    }

    /** Bids answered 202. */
    long acked() {
        return acked.get();
    }

    /** Bids answered 400. */
    long badRequests() {
        return badRequests.get();
    }

    /** Bids answered 429. */
    long throttled() {
        return throttled.get();
    }

    /** Bids the worker placed. */
    long accepted() {
        return accepted.get();
    }

    /** Bids the worker refused (with a BidRejected to the bidder's sessions). */
    long workerRejections() {
        return workerRejections.get();
    }

    /** AuctionRaised frames owed: per placed bid, its auction's subscribers at that moment. */
    long deliveries() {
        return deliveries.get();
    }

    /** How often the planted fault hit (0 or 1). */
    int faultsApplied() {
        return faultsApplied.get();
    }

    // ---- API ------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            JsonNode body = "POST".equals(method) ? readBody(ex) : null;
            if ("POST".equals(method) && path.equals("/session")) {
                String user = "u" + users.incrementAndGet() + "-" + body.path("name").asText();
                String token = UUID.randomUUID().toString();
                userByToken.put(token, user);
                send(ex, 200, JSON.createObjectNode().put("userId", user).put("token", token));
            } else if ("POST".equals(method) && path.equals("/auctions")) {
                Auction a = new Auction(body.path("id").asText(), body.path("title").asText(),
                        new BigDecimal(body.path("startingPrice").asText()),
                        new BigDecimal(body.path("minIncrement").asText()),
                        Instant.parse(body.path("endsAt").asText()));
                // like the real API: 202 now, a worker opens it a moment later
                worker.execute(() -> auctions.putIfAbsent(a.id, a));
                send(ex, 202, JSON.createObjectNode());
            } else if ("GET".equals(method) && path.startsWith("/auctions/")) {
                Auction a = auctions.get(path.substring("/auctions/".length()));
                if (a == null) {
                    problem(ex, 404, "no such auction");
                    return;
                }
                ObjectNode state = onWorker(() -> {
                    return JSON.createObjectNode().put("id", a.id).put("title", a.title)
                            .put("highest", a.highest == null ? null : a.highest.toPlainString())
                            .put("leader", a.leader).put("seq", a.seq).put("status", "open")
                            .put("endsAt", a.endsAt.toString())
                            .put("startingPrice", a.startingPrice.toPlainString())
                            .put("minIncrement", a.increment.toPlainString())
                            .put("minimumNextBid", a.minimumNext().toPlainString());
                });
                send(ex, 200, state);
            } else if ("POST".equals(method) && path.startsWith("/auctions/") && path.endsWith("/bids")) {
                bid(ex, path.substring("/auctions/".length(), path.length() - "/bids".length()), body);
            } else {
                problem(ex, 404, "no route");
            }
        }
    }

    private void bid(HttpExchange ex, String auctionId, JsonNode body) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String user = auth == null || !auth.startsWith("Bearer ") ? null : userByToken.get(auth.substring(7));
        if (user == null) {
            problem(ex, 401, "no valid token");
            return;
        }
        if (fault == Fault.THROTTLE_EVERY_FIFTH && bidsReceived.incrementAndGet() % 5 == 0) {
            throttled.incrementAndGet();
            ex.getResponseHeaders().set("Retry-After", "1");
            problem(ex, 429, "too many bids");
            return;
        }
        JsonNode amountNode = body.path("amount");
        if (!amountNode.isTextual() || !AMOUNT.matcher(amountNode.asText()).matches()
                || new BigDecimal(amountNode.asText()).signum() <= 0) {
            badRequests.incrementAndGet();
            problem(ex, 400, "amount: expected a positive decimal string with at most two decimals");
            return;
        }
        // checked on the worker, after any opening still queued there (as the real worker would place it)
        if (!onWorker(() -> auctions.containsKey(auctionId))) {
            problem(ex, 404, "no such auction");
            return;
        }
        BigDecimal amount = new BigDecimal(amountNode.asText());
        String commandId = UUID.randomUUID().toString();
        acked.incrementAndGet();
        worker.execute(() -> place(auctionId, user, amount, commandId));
        send(ex, 202, JSON.createObjectNode().put("commandId", commandId));
    }

    private static JsonNode readBody(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readAllBytes();
        try {
            JsonNode n = JSON.readTree(bytes);
            return n == null ? JSON.createObjectNode() : n;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void problem(HttpExchange ex, int status, String detail) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(JSON.createObjectNode().put("type", "about:blank")
                .put("status", status).put("detail", detail));
        ex.getResponseHeaders().set("Content-Type", "application/problem+json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private <T> T onWorker(java.util.concurrent.Callable<T> task) throws IOException {
        try {
            return worker.submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    // ---- worker ---------------------------------------------------------------------------------------------------

    private void place(String auctionId, String user, BigDecimal amount, String commandId) {
        Auction a = auctions.get(auctionId);
        if (amount.compareTo(a.minimumNext()) < 0) {
            workerRejections.incrementAndGet();
            String frame = frame(JSON.createObjectNode().put("type", "BidRejected").put("auctionId", auctionId)
                    .put("amount", amount.toPlainString()).put("reason", "bid-too-low")
                    .put("message", "below " + a.minimumNext()).put("commandId", commandId)
                    .put("at", Instant.now().toString()));
            for (Channel ch : sessionsByUser.getOrDefault(user, Set.of())) {
                ch.writeAndFlush(new TextWebSocketFrame(frame));
            }
            return;
        }
        a.seq++;
        a.highest = amount;
        a.leader = user;
        accepted.incrementAndGet();
        String frame = frame(JSON.createObjectNode().put("type", "AuctionRaised").put("auctionId", auctionId)
                .put("amount", amount.toPlainString()).put("userId", user).put("seq", a.seq)
                .put("at", Instant.now().toString()));
        deliveries.addAndGet(a.subscribers.size());
        for (Channel ch : a.subscribers) {
            deliver(a, ch, frame);
        }
    }

    private void deliver(Auction a, Channel ch, String frame) {
        if (fault == Fault.NONE || fault == Fault.THROTTLE_EVERY_FIFTH) {
            ch.writeAndFlush(new TextWebSocketFrame(frame));
            return;
        }
        if (!faultDone && victim == null && a.seq == 3 && ch == a.subscribers.get(0)) {
            victim = ch;
            faultDone = true;
            faultsApplied.incrementAndGet();
            switch (fault) {
                case DROP_ONE -> {
                }
                case DUPLICATE_ONE -> {
                    ch.writeAndFlush(new TextWebSocketFrame(frame));
                    ch.writeAndFlush(new TextWebSocketFrame(frame));
                }
                case REORDER_ONE -> heldFrame = frame;
                default -> throw new IllegalStateException(fault.toString());
            }
            return;
        }
        ch.writeAndFlush(new TextWebSocketFrame(frame));
        if (ch == victim && heldFrame != null && a.seq == 4) {
            ch.writeAndFlush(new TextWebSocketFrame(heldFrame));
            heldFrame = null;
        }
    }

    private static String frame(ObjectNode node) {
        return node.toString();
    }

    // ---- websocket node -------------------------------------------------------------------------------------------

    /** Checks the upgrade's token (401 when it is not one the API issued) and remembers its user. */
    private final class TokenGate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest request) {
                List<String> token = new QueryStringDecoder(request.uri()).parameters().get("token");
                if (token != null) {
                    String user = userByToken.get(token.get(0));
                    if (user == null) {
                        request.release();
                        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.UNAUTHORIZED)).addListener(f -> ctx.close());
                        return;
                    }
                    ctx.channel().attr(USER).set(user);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** A websocket session: subscriptions (answered with a Snapshot, on the worker) and its user's rejections. */
    private final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                String user = ctx.channel().attr(USER).get();
                Channel ch = ctx.channel();
                if (user != null) {
                    worker.execute(() -> sessionsByUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(ch));
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) throws Exception {
            JsonNode n = JSON.readTree(msg.text());
            String id = n.path("subscribe").asText(null);
            Channel ch = ctx.channel();
            if (id == null) {
                ch.writeAndFlush(new TextWebSocketFrame(frame(JSON.createObjectNode().put("type", "Error")
                        .put("reason", "malformed").put("message", "expected {\"subscribe\": id}"))));
                return;
            }
            worker.execute(() -> {
                Auction a = auctions.get(id);
                if (a == null) {
                    ch.writeAndFlush(new TextWebSocketFrame(frame(JSON.createObjectNode().put("type", "Error")
                            .put("reason", "unknown-auction").put("message", "no auction " + id))));
                    return;
                }
                a.subscribers.add(ch);
                ch.writeAndFlush(new TextWebSocketFrame(frame(JSON.createObjectNode().put("type", "Snapshot")
                        .put("auctionId", a.id).put("title", a.title)
                        .put("highest", a.highest == null ? null : a.highest.toPlainString())
                        .put("leader", a.leader).put("seq", a.seq).put("status", "open")
                        .put("endsAt", a.endsAt.toString()))));
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Channel ch = ctx.channel();
            worker.execute(() -> {
                for (Auction a : auctions.values()) {
                    a.subscribers.remove(ch);
                }
                sessionsByUser.values().forEach(s -> s.remove(ch));
            });
            super.channelInactive(ctx);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        for (Channel s : servers) {
            s.close().syncUninterruptibly();
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        worker.shutdownNow();
        httpThreads.shutdownNow();
    }
}
