package dev.trench.examples.auction.store;

import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ZRangeParams;

/**
 * An {@link AuctionStore} in Redis, shared by every worker of the cluster. {@link #placeBid} is one Lua script, so the
 * check ("open at {@code now}", "at least the highest bid plus the increment") and the update happen in one atomic
 * step on the server: two workers can never both accept conflicting bids, whatever their timing.
 *
 * <h2>Connecting</h2>
 * {@code RedisAuctionStore.builder("redis://host:6379").password(secret).build()}. The address is
 * {@code redis://host[:port][/database]}, or {@code rediss://} for TLS; credentials may also be given in it
 * ({@code redis://:password@host} or {@code redis://user:password@host}), but an explicit {@link Builder#password}
 * wins. The password is never logged nor put in a message: {@link #toString()} and every error show the address
 * without credentials. Connections come from a pool ({@link Builder#poolSize}, default 16); {@link #close()} closes it.
 *
 * <h2>Key schema</h2>
 * Every key of one auction carries the auction id as a hash tag ({@code {ID}}), so they live in one Redis Cluster slot
 * and a script may touch all of them. Amounts are stored as integer <em>cents</em> (scale 2), never as floats: Lua
 * numbers are doubles, which are exact for integers up to 2<sup>53</sup>, so amounts are bounded by
 * {@link #MAX_AMOUNT} (10<sup>15</sup> cents; the sum of two stays far below 2<sup>53</sup>), and a larger amount or
 * one with more than two decimals is refused with an {@link InvalidCommandException} (never retried). Instants are
 * stored as epoch second and nano of second, so {@code endsAt} round-trips exactly and "closed" is decided exactly.
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>content</th></tr>
 *   <tr><td>{@code auction:{ID}}</td><td>hash</td><td>{@code id}, {@code title}, {@code startingPrice} and
 *       {@code minIncrement} (cents), {@code endsAtSec}, {@code endsAtNano}, {@code endsAtMillis}, {@code seq}
 *       (accepted bids so far), {@code highest} (cents) and {@code leader} (absent before the first bid)</td></tr>
 *   <tr><td>{@code auction:{ID}:participants}</td><td>set</td><td>user ids</td></tr>
 *   <tr><td>{@code auction:{ID}:bids}</td><td>hash</td><td>command id (canonical UUID text) of an accepted bid
 *       &rarr; {@code seq:amountCents:atEpochSecond:atNano:userId}</td></tr>
 *   <tr><td>{@code auction:{ID}:bid-log}</td><td>list</td><td>the same command ids, newest first</td></tr>
 *   <tr><td>{@code auction:index:by-end}</td><td>sorted set</td><td>auction ids, scored by {@code endsAt} in epoch
 *       millis (for {@link #listOpen})</td></tr>
 * </table>
 *
 * <h2>Bounds</h2>
 * The idempotency memory of an auction holds the last {@link Builder#rememberedBids} accepted bids (default
 * {@value #DEFAULT_REMEMBERED_BIDS}, like the in-memory store): the script pushes each accepted command id on the
 * {@code bid-log} list and, while the list is longer than the bound, pops the oldest id and deletes its entry from the
 * {@code bids} hash. So a retried command is recognised as long as fewer than that many bids were accepted on its
 * auction since its own; an older one is treated as a new bid. Participants grow with distinct bidders; the index
 * holds one entry per auction. Nothing expires: a closed auction stays readable through {@link #find}.
 *
 * <h2>Atomicity</h2>
 * {@code placeBid} is one script ({@code PLACE_BID_SCRIPT}), run by {@code EVALSHA} with a fall back to {@code EVAL}
 * when the server answers {@code NOSCRIPT} (after a restart or {@code SCRIPT FLUSH}). Redis runs a script alone, so
 * its steps see no other write in between:
 * <ol>
 *   <li>the command id is in {@code bids}: answer that remembered bid (whatever the time or highest bid now);</li>
 *   <li>no auction hash: {@code unknown-auction};</li>
 *   <li>{@code now} (the worker's clock, as second and nano) at or after {@code endsAt}: {@code auction-closed};</li>
 *   <li>amount (cents) below {@code highest + minIncrement}, or below {@code startingPrice} before the first bid:
 *       {@code bid-too-low};</li>
 *   <li>otherwise {@code seq += 1}, {@code highest} and {@code leader} set, the bid recorded in {@code bids} and
 *       {@code bid-log}, the log trimmed to the bound; answer the new bid.</li>
 * </ol>
 * {@code open} is a script that creates
 * the auction's hash only when absent, followed by a {@code ZADD} to the index (a key in another slot, so not in the
 * script); an {@code open} of an existing id re-adds it to the index, so an interruption between the two steps is
 * repaired by the next attempt. {@code addParticipant} is a script that adds only to an existing auction.
 *
 * <h2>Failures</h2>
 * Redis unreachable, timing out, refusing the credentials or answering an error: an {@link AuctionStoreException}
 * (unchecked, retried by the bus' retry middleware), naming the address and the operation. Nothing is swallowed.
 */
public final class RedisAuctionStore implements AuctionStore, AutoCloseable {
    /** Accepted bids remembered per auction for idempotency, unless configured otherwise. */
    public static final int DEFAULT_REMEMBERED_BIDS = 1024;

    /** The largest amount (price, increment or bid) the store takes: 10<sup>13</sup>, i.e. 10<sup>15</sup> cents. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("10000000000000.00");

    private static final long MAX_CENTS = 1_000_000_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(RedisAuctionStore.class);

    /** The key of the sorted set of auction ids by end time. */
    static final String INDEX_KEY = "auction:index:by-end";

    /**
     * Places a bid atomically. KEYS: the auction hash, the bids hash, the bid-log list. ARGV: command id, user id,
     * amount in cents, now's epoch second, now's nano of second, the number of bids to remember. Answers
     * {@code {'placed', record}} (a new or the remembered bid), {@code {'unknown-auction'}},
     * {@code {'auction-closed', endsAtSec, endsAtNano}} or {@code {'bid-too-low', startingPrice, minIncrement,
     * highest-or-empty}}.
     */
    static final String PLACE_BID_SCRIPT = """
            local earlier = redis.call('HGET', KEYS[2], ARGV[1])
            if earlier then
              return {'placed', earlier}
            end
            local a = redis.call('HMGET', KEYS[1], 'endsAtSec', 'endsAtNano', 'startingPrice', 'minIncrement', 'highest')
            if not a[1] then
              return {'unknown-auction'}
            end
            local nowSec = tonumber(ARGV[4])
            local endSec = tonumber(a[1])
            if nowSec > endSec or (nowSec == endSec and tonumber(ARGV[5]) >= tonumber(a[2])) then
              return {'auction-closed', a[1], a[2]}
            end
            local minimum
            if a[5] then
              minimum = tonumber(a[5]) + tonumber(a[4])
            else
              minimum = tonumber(a[3])
            end
            if tonumber(ARGV[3]) < minimum then
              return {'bid-too-low', a[3], a[4], a[5] or ''}
            end
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            redis.call('HSET', KEYS[1], 'highest', ARGV[3], 'leader', ARGV[2])
            local record = string.format('%d', seq) .. ':' .. ARGV[3] .. ':' .. ARGV[4] .. ':' .. ARGV[5] .. ':' .. ARGV[2]
            redis.call('HSET', KEYS[2], ARGV[1], record)
            redis.call('LPUSH', KEYS[3], ARGV[1])
            local bound = tonumber(ARGV[6])
            while redis.call('LLEN', KEYS[3]) > bound do
              redis.call('HDEL', KEYS[2], redis.call('RPOP', KEYS[3]))
            end
            return {'placed', record}
            """;

    /**
     * Creates an auction's hash when absent. KEYS: the auction hash. ARGV: endsAtMillis, then the hash's field/value
     * pairs. Answers {@code {1, endsAtMillis}} when created, {@code {0, storedEndsAtMillis}} when it existed.
     */
    static final String OPEN_SCRIPT = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              return {0, redis.call('HGET', KEYS[1], 'endsAtMillis')}
            end
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            return {1, ARGV[1]}
            """;

    /** Adds a participant to an existing auction. KEYS: the auction hash, the participants set. ARGV: user id. */
    static final String ADD_PARTICIPANT_SCRIPT = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              return redis.call('SADD', KEYS[2], ARGV[1])
            end
            return -1
            """;

    private static final Script PLACE_BID = new Script(PLACE_BID_SCRIPT);
    private static final Script OPEN = new Script(OPEN_SCRIPT);
    private static final Script ADD_PARTICIPANT = new Script(ADD_PARTICIPANT_SCRIPT);

    private final RedisClient redis;
    private final String address;
    private final int rememberedBids;

    private RedisAuctionStore(RedisClient redis, String address, int rememberedBids) {
        this.redis = redis;
        this.address = address;
        this.rememberedBids = rememberedBids;
    }

    /** A builder for a store at {@code address}, e.g. {@code redis://redis:6379}. */
    public static Builder builder(String address) {
        return new Builder(address);
    }

    /** A store at {@code address} with an optional password and the defaults otherwise. */
    public static RedisAuctionStore connect(String address, @Nullable String password) {
        return builder(address).password(password).build();
    }

    /** Configures a {@link RedisAuctionStore}. */
    public static final class Builder {
        private final Endpoint endpoint;
        private @Nullable String user;
        private @Nullable String password;
        private int rememberedBids = DEFAULT_REMEMBERED_BIDS;
        private int poolSize = 16;
        private Duration timeout = Duration.ofSeconds(2);

        private Builder(String address) {
            this.endpoint = Endpoint.parse(address);
            this.user = endpoint.user;
            this.password = endpoint.password;
        }

        /**
         * The password ({@code AUTH}). Overrides one given in the address; {@code null} or blank (an unset
         * environment variable or Secret) keeps the address' one, or none.
         */
        public Builder password(@Nullable String password) {
            if (password != null && !password.isBlank()) {
                this.password = password;
            }
            return this;
        }

        /** The ACL user name, with {@link #password}; {@code null} or blank keeps the address' one, or the default. */
        public Builder user(@Nullable String user) {
            if (user != null && !user.isBlank()) {
                this.user = user;
            }
            return this;
        }

        /** How many accepted bids each auction remembers for idempotency (at least 1). */
        public Builder rememberedBids(int rememberedBids) {
            if (rememberedBids < 1) {
                throw new IllegalArgumentException("rememberedBids: must be at least 1, was " + rememberedBids);
            }
            this.rememberedBids = rememberedBids;
            return this;
        }

        /** The most connections open at once (at least 1). */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize: must be at least 1, was " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /** Connect, read and pool-wait timeout. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Builds the store. Connections are opened on first use, so Redis need not be up yet. */
        public RedisAuctionStore build() {
            int millis = (int) timeout.toMillis();
            DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(millis)
                    .socketTimeoutMillis(millis)
                    .database(endpoint.database)
                    .clientName("trench-auction-store");
            if (endpoint.tls) {
                client.sslOptions(SslOptions.defaults()); // the JVM's trust store, host name verified
            }
            if (user != null) {
                client.user(user);
            }
            if (password != null) {
                client.password(password);
            }
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            pool.setMaxTotal(poolSize);
            pool.setMaxIdle(poolSize);
            pool.setMinIdle(0);
            pool.setBlockWhenExhausted(true);
            pool.setMaxWait(timeout);
            RedisClient redis = RedisClient.builder()
                    .hostAndPort(endpoint.host, endpoint.port)
                    .clientConfig(client.build())
                    .poolConfig(pool)
                    .build();
            log.info("Redis auction store at {} ({}, {} connections at most, {} bids remembered per auction)",
                    endpoint.display, password == null ? "no password" : "with a password", poolSize,
                    rememberedBids);
            return new RedisAuctionStore(redis, endpoint.display, rememberedBids);
        }
    }

    /** Checks that Redis answers (a {@code PING}); throws {@link AuctionStoreException} otherwise. */
    public void checkConnection() {
        call("pinging", redis::ping);
    }

    @Override
    public boolean open(Auction auction) {
        Objects.requireNonNull(auction, "auction");
        long startingPrice = toCents("startingPrice", auction.startingPrice());
        long minIncrement = toCents("minIncrement", auction.minIncrement());
        String endsAtMillis = Long.toString(epochMillis(auction.endsAt()));
        List<String> args = new ArrayList<>(List.of(endsAtMillis,
                "id", auction.id(),
                "title", auction.title(),
                "startingPrice", Long.toString(startingPrice),
                "minIncrement", Long.toString(minIncrement),
                "endsAtSec", Long.toString(auction.endsAt().getEpochSecond()),
                "endsAtNano", Integer.toString(auction.endsAt().getNano()),
                "endsAtMillis", endsAtMillis,
                "seq", Long.toString(auction.seq())));
        if (auction.highest() != null) {
            args.add("highest");
            args.add(Long.toString(toCents("highest", auction.highest())));
        }
        if (auction.leader() != null) {
            args.add("leader");
            args.add(auction.leader());
        }
        String operation = "opening auction " + auction.id();
        List<?> reply = list(call(operation, () -> OPEN.run(redis, List.of(auctionKey(auction.id())), args)),
                operation);
        boolean created = number(reply.get(0)) == 1;
        if (reply.size() > 1) {
            // on a new auction its own end; on an existing one the stored end: repairs an interrupted earlier open
            String indexedMillis = text(reply.get(1));
            call(operation, () -> redis.zadd(INDEX_KEY, Double.parseDouble(indexedMillis), auction.id()));
        }
        return created;
    }

    @Override
    public Optional<Auction> find(String auctionId) {
        Map<String, String> hash = call("reading auction " + auctionId, () -> redis.hgetAll(auctionKey(auctionId)));
        return hash.isEmpty() ? Optional.empty() : Optional.of(decodeAuction(auctionId, hash));
    }

    @Override
    public List<Auction> listOpen(Instant now) {
        String operation = "listing open auctions";
        // an auction open at now ends after now, so its floor-millis score is at least now's floor millis
        List<String> ids = call(operation,
                () -> redis.zrange(INDEX_KEY, new ZRangeParams(Protocol.Keyword.BYSCORE,
                        Long.toString(epochMillis(now)), "+inf")));
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Map<String, String>> hashes = call(operation, () -> {
            List<Response<Map<String, String>>> responses = new ArrayList<>(ids.size());
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String id : ids) {
                    responses.add(pipeline.hgetAll(auctionKey(id)));
                }
                pipeline.sync();
            }
            List<Map<String, String>> out = new ArrayList<>(responses.size());
            for (Response<Map<String, String>> r : responses) {
                out.add(r.get());
            }
            return out;
        });
        List<Auction> open = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Map<String, String> hash = hashes.get(i);
            if (!hash.isEmpty()) {
                Auction auction = decodeAuction(ids.get(i), hash);
                if (auction.isOpenAt(now)) {
                    open.add(auction);
                }
            }
        }
        open.sort(Comparator.comparing(Auction::id));
        return open;
    }

    @Override
    public void addParticipant(String auctionId, String userId) {
        Objects.requireNonNull(userId, "userId");
        call("adding participant " + userId + " to auction " + auctionId, () -> ADD_PARTICIPANT.run(redis,
                List.of(auctionKey(auctionId), participantsKey(auctionId)), List.of(userId)));
    }

    @Override
    public Set<String> participants(String auctionId) {
        return Set.copyOf(call("reading the participants of auction " + auctionId,
                () -> redis.smembers(participantsKey(auctionId))));
    }

    @Override
    public BidDecision placeBid(String auctionId, MessageId commandId, String userId, BigDecimal amount,
            Instant now) {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(now, "now");
        long cents = toCents("amount", amount);
        String operation = "placing a bid on auction " + auctionId;
        List<String> keys = List.of(auctionKey(auctionId), bidsKey(auctionId), bidLogKey(auctionId));
        List<String> args = List.of(commandId.toString(), userId, Long.toString(cents),
                Long.toString(now.getEpochSecond()), Integer.toString(now.getNano()),
                Integer.toString(rememberedBids));
        List<?> reply = list(call(operation, () -> PLACE_BID.run(redis, keys, args)), operation);
        String outcome = text(reply.get(0));
        switch (outcome) {
            case "placed":
                return new BidDecision.Placed(decodeBid(auctionId, commandId, text(reply.get(1))));
            case "unknown-auction":
                return new BidDecision.Refused("unknown-auction", "no auction " + auctionId);
            case "auction-closed":
                Instant endsAt = Instant.ofEpochSecond(Long.parseLong(text(reply.get(1))),
                        Long.parseLong(text(reply.get(2))));
                return new BidDecision.Refused("auction-closed", "auction " + auctionId + " closed at " + endsAt);
            case "bid-too-low":
                String highest = text(reply.get(3));
                BigDecimal minimum = highest.isEmpty()
                        ? fromCents(text(reply.get(1)))
                        : fromCents(highest).add(fromCents(text(reply.get(2))));
                return new BidDecision.Refused("bid-too-low",
                        "bid " + amount.toPlainString() + " is below the minimum " + minimum.toPlainString());
            default:
                throw new AuctionStoreException("Redis auction store at " + address + " answered '" + outcome
                        + "' while " + operation);
        }
    }

    @Override
    public Optional<Bid> acceptedBid(String auctionId, MessageId commandId) {
        String record = call("reading the bid of command " + commandId + " on auction " + auctionId,
                () -> redis.hget(bidsKey(auctionId), commandId.toString()));
        return record == null ? Optional.empty() : Optional.of(decodeBid(auctionId, commandId, record));
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        redis.close();
    }

    /** The store's address, without credentials. */
    @Override
    public String toString() {
        return "RedisAuctionStore[" + address + "]";
    }

    // ---- keys

    static String auctionKey(String auctionId) {
        return "auction:{" + Objects.requireNonNull(auctionId, "auctionId") + "}";
    }

    static String participantsKey(String auctionId) {
        return auctionKey(auctionId) + ":participants";
    }

    static String bidsKey(String auctionId) {
        return auctionKey(auctionId) + ":bids";
    }

    static String bidLogKey(String auctionId) {
        return auctionKey(auctionId) + ":bid-log";
    }

    // ---- encoding

    /** Exact cents of an amount with at most two decimals and at most {@link #MAX_AMOUNT}. */
    static long toCents(String field, BigDecimal amount) {
        Objects.requireNonNull(amount, field);
        BigDecimal scaled;
        try {
            scaled = amount.setScale(2, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new InvalidCommandException(field, "must have at most 2 decimals, was " + amount.toPlainString());
        }
        if (scaled.abs().compareTo(MAX_AMOUNT) > 0) {
            throw new InvalidCommandException(field,
                    "must be at most " + MAX_AMOUNT.toPlainString() + ", was " + amount.toPlainString());
        }
        long cents = scaled.unscaledValue().longValueExact();
        assert Math.abs(cents) <= MAX_CENTS;
        return cents;
    }

    private static BigDecimal fromCents(String cents) {
        return BigDecimal.valueOf(Long.parseLong(cents), 2);
    }

    private static long epochMillis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private Auction decodeAuction(String auctionId, Map<String, String> hash) {
        try {
            String highest = hash.get("highest");
            return new Auction(required(hash, "id"), required(hash, "title"),
                    fromCents(required(hash, "startingPrice")), fromCents(required(hash, "minIncrement")),
                    Instant.ofEpochSecond(Long.parseLong(required(hash, "endsAtSec")),
                            Long.parseLong(required(hash, "endsAtNano"))),
                    highest == null ? null : fromCents(highest), hash.get("leader"),
                    Long.parseLong(required(hash, "seq")));
        } catch (RuntimeException e) {
            throw new AuctionStoreException("Redis auction store at " + address + " holds a malformed auction "
                    + auctionId + ": " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> hash, String field) {
        String value = hash.get(field);
        if (value == null) {
            throw new IllegalStateException("field '" + field + "' missing");
        }
        return value;
    }

    /** Decodes {@code seq:amountCents:atEpochSecond:atNano:userId} (the user id may contain colons). */
    private Bid decodeBid(String auctionId, MessageId commandId, String record) {
        String[] parts = record.split(":", 5);
        try {
            if (parts.length != 5) {
                throw new IllegalStateException("expected 5 fields, got " + parts.length);
            }
            return new Bid(auctionId, commandId, parts[4], fromCents(parts[1]), Long.parseLong(parts[0]),
                    Instant.ofEpochSecond(Long.parseLong(parts[2]), Long.parseLong(parts[3])));
        } catch (RuntimeException e) {
            throw new AuctionStoreException("Redis auction store at " + address + " holds a malformed bid for command "
                    + commandId + " on auction " + auctionId + ": " + e.getMessage(), e);
        }
    }

    private List<?> list(Object reply, String operation) {
        if (reply instanceof List<?> list && !list.isEmpty()) {
            return list;
        }
        throw new AuctionStoreException("Redis auction store at " + address + " gave an unexpected reply while "
                + operation + ": " + reply);
    }

    private static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return String.valueOf(value);
    }

    private static long number(Object value) {
        return value instanceof Long l ? l : Long.parseLong(text(value));
    }

    // ---- calls

    private <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (JedisConnectionException e) {
            dropIdleConnections(e);
            throw new AuctionStoreException("Redis auction store at " + address + " unreachable while " + operation
                    + ": " + e.getMessage(), e);
        } catch (JedisException e) {
            throw new AuctionStoreException("Redis auction store at " + address + " failed while " + operation
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * After a connection failure (e.g. Redis restarted), the idle pooled connections are likely dead too: dropping them
     * makes the next call (a retry) open a fresh one instead of failing once per stale connection.
     */
    private void dropIdleConnections(JedisConnectionException failure) {
        try {
            redis.getPool().clear();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** A Lua script run by its SHA-1 ({@code EVALSHA}), sent whole ({@code EVAL}) when the server lacks it. */
    private static final class Script {
        private final String text;
        private final String sha1;

        Script(String text) {
            this.text = text;
            try {
                this.sha1 = HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 unavailable", e);
            }
        }

        Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
            try {
                return redis.evalsha(sha1, keys, args);
            } catch (JedisNoScriptException e) {
                return redis.eval(text, keys, args); // EVAL also caches it for the next EVALSHA
            }
        }
    }

    /** A parsed address; {@link #display} has no credentials. */
    private static final class Endpoint {
        final String host;
        final int port;
        final int database;
        final boolean tls;
        final @Nullable String user;
        final @Nullable String password;
        final String display;

        private Endpoint(String host, int port, int database, boolean tls, @Nullable String user,
                @Nullable String password) {
            this.host = host;
            this.port = port;
            this.database = database;
            this.tls = tls;
            this.user = user;
            this.password = password;
            String shownHost = host.contains(":") ? "[" + host + "]" : host;
            this.display = (tls ? "rediss://" : "redis://") + shownHost + ":" + port
                    + (database == 0 ? "" : "/" + database);
        }

        static Endpoint parse(String address) {
            Objects.requireNonNull(address, "address");
            String problem = "Redis address: expected redis://host[:port][/database] or rediss://…, was '"
                    + redact(address) + "'";
            URI uri;
            try {
                uri = new URI(address.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(problem, null);
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(problem);
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = uri.getPort() == -1 ? 6379 : uri.getPort();
            int database = 0;
            String path = uri.getPath();
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                try {
                    database = Integer.parseInt(path.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(problem + ": the path must be a database number");
                }
                if (database < 0) {
                    throw new IllegalArgumentException(problem + ": the database number must not be negative");
                }
            }
            String user = null;
            String password = null;
            String userInfo = uri.getUserInfo();
            if (userInfo != null && !userInfo.isEmpty()) {
                int colon = userInfo.indexOf(':');
                if (colon < 0) {
                    password = userInfo;
                } else {
                    user = colon == 0 ? null : userInfo.substring(0, colon);
                    password = userInfo.substring(colon + 1);
                }
                if (password.isEmpty()) {
                    password = null;
                }
            }
            return new Endpoint(host, port, database, scheme.equalsIgnoreCase("rediss"), user, password);
        }

        /** The address with any credentials masked. */
        private static String redact(String address) {
            return address.replaceAll("//[^/@]*@", "//***@");
        }
    }
}
