package dev.trench.examples.auction.cli.internal;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a long-running role alive until the JVM is asked to stop (Ctrl-C, SIGTERM): a shutdown hook closes the role
 * (its graceful drain), and the main thread returns once that is done.
 */
public final class RoleRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RoleRunner.class);

    private RoleRunner() {
    }

    /**
     * Waits until the JVM shuts down, closing {@code role} from the shutdown hook.
     *
     * @return 0
     */
    public static int runUntilShutdown(String name, AutoCloseable role) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{}: stopping", name);
            try {
                role.close();
            } catch (Exception e) {
                LOG.warn("{}: stopping failed", name, e);
            } finally {
                stopped.countDown();
            }
        }, "auction-" + name + "-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
