package dev.trench.examples.auction.cli.internal;

import dev.trench.examples.auction.store.AuctionStore;
import dev.trench.examples.auction.store.InMemoryAuctionStore;
import dev.trench.examples.auction.store.RedisAuctionStore;
import picocli.CommandLine.Option;

/**
 * {@code --store memory|redis}, {@code --redis}, {@code --redis-password}: which {@link AuctionStore} a role uses.
 * The in-memory store is this process's own (fine for one worker, or for trying a role alone); the workers and the
 * API of a cluster share a Redis store.
 */
public final class StoreOptions {
    /** The kinds of store. */
    public enum Kind {
        /** {@link InMemoryAuctionStore}: this process only. */
        memory,
        /** {@link RedisAuctionStore}: shared by every worker and the API. */
        redis
    }

    @Option(names = "--store", defaultValue = "${env:AUCTION_STORE:-memory}", paramLabel = "memory|redis",
            description = "Auction store: memory (this process only) or redis (shared by the cluster)."
                    + " Env AUCTION_STORE. Default: ${DEFAULT-VALUE}.")
    Kind kind;

    @Option(names = "--redis", defaultValue = "${env:AUCTION_REDIS:-redis://127.0.0.1:6379}", paramLabel = "URL",
            description = "Redis address for --store redis: redis://host[:port][/db] or rediss:// for TLS."
                    + " Env AUCTION_REDIS. Default: ${DEFAULT-VALUE}.")
    String redis;

    @Option(names = "--redis-password", defaultValue = "${env:AUCTION_REDIS_PASSWORD:-}", paramLabel = "SECRET",
            description = "Redis password (never logged). Env AUCTION_REDIS_PASSWORD. Default: none.")
    String redisPassword;

    /** The kind chosen. */
    public Kind kind() {
        return kind;
    }

    /** Opens the chosen store; the Redis one connects on first use. */
    public AuctionStore open() {
        return switch (kind) {
            case memory -> new InMemoryAuctionStore();
            case redis -> RedisAuctionStore.connect(redis, redisPassword == null || redisPassword.isBlank() ? null
                    : redisPassword);
        };
    }

    /** Closes a store opened by {@link #open()} when it holds connections. */
    public static void close(AuctionStore store) {
        if (store instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the auction store failed: " + e.getMessage(), e);
            }
        }
    }

    /** A description for logs (without credentials). */
    public String describe() {
        return kind == Kind.memory ? "memory" : "redis " + redis.replaceAll("//[^@/]*@", "//");
    }
}
