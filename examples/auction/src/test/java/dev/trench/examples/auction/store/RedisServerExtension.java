package dev.trench.examples.auction.store;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs one real {@link RedisServer} for a test class: register it on a static field,
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension REDIS = new RedisServerExtension();
 * }</pre>
 * It starts before the class' first test and is stopped after its last. Tests call {@link #flushAll()} to begin
 * from an empty server. A missing {@code redis-server} fails the class with a message saying how to install it.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final @Nullable String password;
    private @Nullable RedisServer server;

    /** A server without a password. */
    public RedisServerExtension() {
        this(null);
    }

    private RedisServerExtension(@Nullable String password) {
        this.password = password;
    }

    /** A server that requires {@code password}. */
    public static RedisServerExtension withPassword(String password) {
        return new RedisServerExtension(password);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start(password);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    /** The running server. */
    public RedisServer server() {
        RedisServer s = server;
        if (s == null) {
            throw new IllegalStateException("the Redis server is not running: register RedisServerExtension with "
                    + "@RegisterExtension on a static field");
        }
        return s;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return server().uri();
    }

    /** Deletes every key. */
    public void flushAll() {
        server().flushAll();
    }
}
