package dev.trench.examples.auction.store;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} process for tests, on a free loopback port, without persistence ({@code --save ""
 * --appendonly no}), in a temporary directory. {@link #start()} returns once the server answers {@code PING} (polled
 * with a bounded deadline); {@link #close()} terminates it and waits for it to exit. A JVM shutdown hook kills it if
 * the test run dies first.
 *
 * <p>The executable is {@code $REDIS_SERVER} when set, else {@code redis-server} on the {@code PATH}, else
 * {@code /usr/bin/redis-server} or {@code /usr/local/bin/redis-server}. When none exists, {@link #start()} throws
 * with a message saying how to install it: a missing server fails the test, it never skips it.
 *
 * <p>For JUnit 5 classes, {@link RedisServerExtension} wraps it; a multi-process test can use it directly.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 5;

    private final Path executable;
    private final @Nullable String password;
    private final Path dir;
    private final Thread killer;
    private int port;
    private @Nullable Process process;

    private RedisServer(Path executable, @Nullable String password, Path dir) {
        this.executable = executable;
        this.password = password;
        this.dir = dir;
        this.killer = new Thread(this::killNow, "redis-server-killer");
    }

    /** Starts a server without a password. */
    public static RedisServer start() {
        return start(null);
    }

    /** Starts a server that requires {@code password} ({@code requirepass}), or none when {@code null}. */
    public static RedisServer start(@Nullable String password) {
        Path executable = locate();
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-test-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for redis-server", e);
        }
        RedisServer server = new RedisServer(executable, password, dir);
        Runtime.getRuntime().addShutdownHook(server.killer);
        try {
            server.launchOnAFreePort();
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The port it listens on (on 127.0.0.1). */
    public int port() {
        return port;
    }

    /** Its address, {@code redis://127.0.0.1:PORT}, without credentials. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The password it requires, or {@code null}. */
    public @Nullable String password() {
        return password;
    }

    /** A new client authenticated as needed, for tests to inspect or prepare the server's data; close it after. */
    public RedisClient newClient() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(5_000);
        if (password != null) {
            config.password(password);
        }
        return RedisClient.builder().hostAndPort("127.0.0.1", port).clientConfig(config.build()).build();
    }

    /** Deletes every key ({@code FLUSHALL}). */
    public void flushAll() {
        try (RedisClient client = newClient()) {
            client.flushAll();
        }
    }

    /** Whether the process is running. */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Stops the server (keeping its port), as a crash or restart of Redis would; {@link #restart()} brings it back. */
    public void stop() {
        Process p = process;
        process = null;
        if (p != null) {
            terminate(p);
        }
    }

    /** Starts the server again on the same port, empty (it has no persistence); returns once it answers. */
    public void restart() {
        stop();
        String failure = launch(port);
        if (failure != null) {
            throw new IllegalStateException("redis-server did not restart on port " + port + ": " + failure);
        }
    }

    /** Terminates the server, waits for it to exit and deletes its directory. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        deleteDirectory();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + (isRunning() ? "" : ", stopped") + "]";
    }

    private void launchOnAFreePort() {
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int candidate = freePort();
            String failure = launch(candidate);
            if (failure == null) {
                port = candidate;
                return;
            }
            failures.add("port " + candidate + ": " + failure);
            if (!failure.contains("Address already in use")) {
                break; // not a port race: trying other ports will not help
            }
        }
        throw new IllegalStateException("redis-server (" + executable + ") did not start: " + failures);
    }

    /** Launches on {@code onPort} and waits until it answers; returns {@code null}, or why it did not come up. */
    private @Nullable String launch(int onPort) {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--port", Integer.toString(onPort),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--daemonize", "no",
                "--loglevel", "warning"));
        if (password != null) {
            command.add("--requirepass");
            command.add(password);
        }
        File log = dir.resolve("redis-" + onPort + ".log").toFile();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            return "cannot run " + executable + ": " + e.getMessage();
        }
        process = p;
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                process = null;
                return "exited with status " + p.exitValue() + ": " + tail(log);
            }
            if (answersPing(onPort)) {
                port = onPort;
                return null;
            }
            try {
                p.waitFor(20, TimeUnit.MILLISECONDS); // a bounded poll interval, not a fixed wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                terminate(p);
                process = null;
                return "interrupted while waiting for it";
            }
        }
        terminate(p);
        process = null;
        return "no answer to PING within " + STARTUP_TIMEOUT.toSeconds() + " s: " + tail(log);
    }

    /** Sends an inline {@code PING}; a {@code +PONG} or an authentication error both mean the server is up. */
    private static boolean answersPing(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return line != null && (line.startsWith("+PONG") || line.startsWith("-NOAUTH"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void terminate(Process p) {
        p.destroy(); // SIGTERM: redis-server shuts down at once (nothing to save)
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("redis-server (pid " + p.pid() + ") did not exit");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private void killNow() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static Path locate() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    candidates.add(Path.of(entry, "redis-server"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/local/bin/redis-server"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server not found (looked at $REDIS_SERVER, the PATH, /usr/bin and "
                + "/usr/local/bin). The Redis tests need a real server: install Debian's package "
                + "(apt-get install redis-server) or set REDIS_SERVER to its path.");
    }

    private static String tail(File log) {
        try {
            List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
