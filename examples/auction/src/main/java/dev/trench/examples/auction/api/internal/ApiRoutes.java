package dev.trench.examples.auction.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.bus.Accepted;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.OverloadedException;
import dev.trench.examples.auction.api.BidRateLimiter;
import dev.trench.examples.auction.api.SessionTokens;
import dev.trench.examples.auction.api.internal.RequestBodies.BadRequest;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.Auction;
import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.transport.http.HttpExchange;
import dev.trench.transport.http.HttpReply;
import dev.trench.transport.http.HttpSendException;
import dev.trench.transport.http.Problem;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of the API's routes. They run on Netty I/O threads and never block: commands go through the bus
 * (which completes on the worker's acknowledgement), store reads run on the store executor.
 */
public final class ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} _.-]{1,32}");
    private static final Pattern AUCTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String BEARER = "bearer ";

    private final CommandBus bus;
    private final AuctionStore store;
    private final SessionTokens tokens;
    private final BidRateLimiter limiter;
    private final Map<String, Object> config;
    private final Clock clock;
    private final Executor storeExecutor;

    /**
     * Handlers over these collaborators.
     *
     * @param websockets the websocket URLs {@code GET /config} announces
     */
    public ApiRoutes(CommandBus bus, AuctionStore store, SessionTokens tokens, BidRateLimiter limiter,
            List<String> websockets, Clock clock, Executor storeExecutor) {
        this.bus = bus;
        this.store = store;
        this.tokens = tokens;
        this.limiter = limiter;
        this.config = Map.of("websockets", List.copyOf(websockets));
        this.clock = clock;
        this.storeExecutor = storeExecutor;
    }

    /** {@code POST /session {"name"}} → {@code {"userId","token","expiresAt"}}. */
    public void session(HttpExchange exchange) {
        try {
            JsonNode body = RequestBodies.object(exchange, Set.of("name"));
            String name = RequestBodies.text(body, "name").trim();
            if (!NAME.matcher(name).matches()) {
                throw RequestBodies.refuse(RequestBodies.invalidField("name",
                        "must be 1-32 letters, digits, spaces, '.', '_' or '-'"));
            }
            String userId = userIdFor(name);
            SessionTokens.IssuedToken issued = tokens.issue(userId);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("userId", issued.userId());
            answer.put("name", name);
            answer.put("token", issued.token());
            answer.put("expiresAt", issued.expiresAt().toString());
            LOG.info("session opened for user {}", userId);
            exchange.respond(HttpReply.json(200, answer));
        } catch (BadRequest e) {
            exchange.respond(HttpReply.problem(e.problem()));
        }
    }

    /** A user id of its own per session: the name made lowercase, plus four random hex digits. */
    static String userIdFor(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[\\s.]+", "-").replaceAll("[^\\p{L}\\p{N}_-]", "");
        if (slug.isEmpty()) {
            slug = "user";
        }
        return slug + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
    }

    /** {@code POST /auctions/{auctionId}/bids {"amount": "12.50"}} with a bearer token → 202 {@code {"commandId"}}. */
    public void bid(HttpExchange exchange) {
        if (exchange.draining()) {
            exchange.respond(HttpReply.problem(draining()));
            return;
        }
        String auctionId = exchange.pathParameter("auctionId");
        Optional<String> user = authenticate(exchange);
        if (user.isEmpty()) {
            exchange.respond(HttpReply.problem(Problem.of(401, "unauthorized", "Unauthorized",
                    "a valid session token is required: Authorization: Bearer <token> from POST /session"))
                    .withHeader("WWW-Authenticate", "Bearer"));
            return;
        }
        Duration wait = limiter.tryAcquire(user.get());
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            exchange.respond(HttpReply.problem(Problem.of(429, "too-many-bids", "Too many bids",
                    "user " + user.get() + " places bids faster than allowed; retry after " + seconds + " s"))
                    .withHeader("Retry-After", Long.toString(seconds)));
            return;
        }
        RaiseBid command;
        try {
            JsonNode body = RequestBodies.object(exchange, Set.of("amount"));
            BigDecimal amount = RequestBodies.decimal(body, "amount");
            command = build(() -> new RaiseBid(auctionId, user.get(), amount), Map.of());
        } catch (BadRequest e) {
            exchange.respond(HttpReply.problem(e.problem()));
            return;
        }
        dispatch(exchange, command, Map.of());
    }

    /**
     * {@code POST /auctions {"id","title","startingPrice","minIncrement","endsAt"}} → 202 {@code {"commandId"}};
     * 409 when the store already knows the id.
     */
    public void openAuction(HttpExchange exchange) {
        if (exchange.draining()) {
            exchange.respond(HttpReply.problem(draining()));
            return;
        }
        OpenAuction command;
        try {
            JsonNode body = RequestBodies.object(exchange,
                    Set.of("id", "title", "startingPrice", "minIncrement", "endsAt"));
            String id = RequestBodies.text(body, "id");
            String title = RequestBodies.text(body, "title");
            BigDecimal startingPrice = RequestBodies.decimal(body, "startingPrice");
            BigDecimal minIncrement = RequestBodies.decimal(body, "minIncrement");
            Instant endsAt = RequestBodies.instant(body, "endsAt");
            if (!endsAt.isAfter(clock.instant())) {
                throw RequestBodies.refuse(RequestBodies.invalidField("endsAt", "must be in the future, was "
                        + endsAt));
            }
            command = build(() -> new OpenAuction(id, title, startingPrice, minIncrement, endsAt),
                    Map.of("auctionId", "id"));
        } catch (BadRequest e) {
            exchange.respond(HttpReply.problem(e.problem()));
            return;
        }
        OpenAuction open = command;
        CompletableFuture.supplyAsync(() -> store.find(open.auctionId()), storeExecutor).whenComplete((found, e) -> {
            if (e != null) {
                storeFailed(exchange, e);
            } else if (found.isPresent()) {
                exchange.respond(HttpReply.problem(Problem.of(409, "auction-exists", "Auction exists",
                        "id: auction " + open.auctionId() + " exists already").with("field", "id")));
            } else {
                dispatch(exchange, open, Map.of("auctionId", open.auctionId()));
            }
        });
    }

    /** {@code GET /auctions/{auctionId}} → the auction's state, or 404. */
    public void auction(HttpExchange exchange) {
        String auctionId = exchange.pathParameter("auctionId");
        if (auctionId == null || !AUCTION_ID.matcher(auctionId).matches()) {
            exchange.respond(HttpReply.problem(unknownAuction(String.valueOf(auctionId))));
            return;
        }
        CompletableFuture.supplyAsync(() -> store.find(auctionId), storeExecutor).whenComplete((found, e) -> {
            if (e != null) {
                storeFailed(exchange, e);
            } else if (found.isEmpty()) {
                exchange.respond(HttpReply.problem(unknownAuction(auctionId)));
            } else {
                exchange.respond(HttpReply.json(200, AuctionViews.of(found.get(), clock.instant())));
            }
        });
    }

    /** {@code GET /auctions} → the open auctions, by id. */
    public void openAuctions(HttpExchange exchange) {
        CompletableFuture.supplyAsync(() -> store.listOpen(clock.instant()), storeExecutor).whenComplete((list, e) -> {
            if (e != null) {
                storeFailed(exchange, e);
                return;
            }
            Instant now = clock.instant();
            List<Map<String, Object>> views = new ArrayList<>(list.size());
            for (Auction a : list) {
                views.add(AuctionViews.of(a, now));
            }
            exchange.respond(HttpReply.json(200, views));
        });
    }

    /** {@code GET /config} → {@code {"websockets": [...]}}. */
    public void config(HttpExchange exchange) {
        exchange.respond(HttpReply.json(200, config).withHeader("Cache-Control", "no-cache"));
    }

    private Optional<String> authenticate(HttpExchange exchange) {
        String header = exchange.header("Authorization");
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return tokens.userOf(header.substring(BEARER.length()).trim());
    }

    /**
     * Runs a command's constructor (its validation); a refusal becomes a 400 naming the field as the request body
     * calls it ({@code bodyNames} maps a command component to a body member where they differ).
     */
    private static <C> C build(Supplier<C> constructor, Map<String, String> bodyNames) throws BadRequest {
        try {
            return constructor.get();
        } catch (InvalidCommandException e) {
            String field = bodyNames.getOrDefault(e.field(), e.field());
            throw RequestBodies.refuse(RequestBodies.invalidField(field, e.reason()));
        }
    }

    private void dispatch(HttpExchange exchange, dev.trench.bus.Command<Accepted> command, Map<String, Object> extra) {
        CompletableFuture<Accepted> sent;
        try {
            sent = bus.dispatch(command).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((accepted, error) -> {
            if (error == null) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("commandId", accepted.commandId().toString());
                answer.putAll(extra);
                exchange.respond(HttpReply.json(202, answer));
            } else {
                exchange.respond(HttpReply.problem(failure(command, unwrap(error))));
            }
        });
    }

    private static Problem failure(Object command, Throwable error) {
        String what = command.getClass().getSimpleName();
        if (error instanceof OverloadedException) {
            return Problem.of(503, "overloaded", "Workers overloaded", what + " was not accepted: "
                    + error.getMessage());
        }
        if (error instanceof HttpSendException send) {
            Problem p = Problem.of(503, "no-worker", "No worker accepted the command", what + " was not accepted: "
                    + send.getMessage());
            return send.status() == 0 ? p : p.with("workerStatus", send.status());
        }
        if (error instanceof InvalidCommandException invalid) {
            return RequestBodies.invalidField(invalid.field(), invalid.reason());
        }
        if (error instanceof CommandRejectedException rejected) {
            return Problem.of(422, "rejected", "Command rejected", rejected.getMessage())
                    .with("reason", rejected.reason());
        }
        LOG.error("{} failed in the API", what, error);
        return Problem.of(500, "internal", "Internal error", what + " failed; see the API's log");
    }

    private void storeFailed(HttpExchange exchange, Throwable error) {
        LOG.error("auction store read failed for {} {}", exchange.method(), exchange.path(), unwrap(error));
        exchange.respond(HttpReply.problem(Problem.of(503, "store-unavailable", "Store unavailable",
                "the auction store could not be read")));
    }

    private static Problem unknownAuction(String auctionId) {
        return Problem.of(404, "unknown-auction", "Unknown auction", "no auction " + auctionId)
                .with("auctionId", auctionId);
    }

    private static Problem draining() {
        return Problem.of(503, "draining", "Shutting down", "the API is shutting down; try another instance");
    }

    private static Throwable unwrap(@Nullable Throwable t) {
        Throwable e = t;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
