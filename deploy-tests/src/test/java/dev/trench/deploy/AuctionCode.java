package dev.trench.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the auction example's code says, read from its sources as text (the source of truth the manifests must agree
 * with): the roles of the CLI, the environment variables each role reads with their defaults, which of them are
 * secrets, the routes the API serves, the operational routes every HTTP server answers, the websocket path and the
 * websocket node's close timeout.
 */
final class AuctionCode {
    static final String AUCTION = "examples/auction/src/main/java/dev/trench/examples/auction/";
    static final String CLI = AUCTION + "cli/";

    private static final Pattern ROLE = Pattern.compile("@Command\\(\\s*name\\s*=\\s*\"([a-z][a-z-]*)\"");
    private static final Pattern MIXIN = Pattern.compile("@Mixin\\s+(?:[\\w.]+\\.)?(\\w+)\\s+\\w+\\s*;");
    private static final Pattern ENV_OCCURRENCE = Pattern.compile("\\$\\{env:(AUCTION_[A-Z0-9_]+)");
    private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:([A-Z0-9_]+)(?::-(.*))?}$");
    private static final Pattern NAMES = Pattern.compile("names\\s*=\\s*(\\{[^}]*}|\"[^\"]*\")");
    private static final Pattern DEFAULT_VALUE = Pattern.compile("defaultValue\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern PARAM_LABEL = Pattern.compile("paramLabel\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern API_ROUTE = Pattern.compile("\\.route\\(\\s*\"[A-Z]+\"\\s*,\\s*\"(/[^\"]*)\"");
    private static final Pattern STATIC_ASSET = Pattern.compile("\\badd\\(\\s*\"(/[^\"]*)\"");
    private static final Pattern OPS_ROUTE = Pattern.compile("\"(/health/[a-z]+|/metrics)\"");
    private static final Pattern WS_PATH = Pattern.compile("private String path\\s*=\\s*\"(/[^\"]*)\"");
    private static final Pattern WS_CLOSE = Pattern.compile(
            "private Duration closeTimeout\\s*=\\s*Duration\\.of(Seconds|Millis)\\((\\d+)\\)");

    /** One {@code @Option}: its names, the environment variable and default of its {@code defaultValue}. */
    record Option(List<String> names, String env, String defaultValue, String paramLabel) {
        boolean named(String name) {
            return names.contains(name);
        }
    }

    /** A role ({@code @Command(name = ...)}) with every option of its class and of its mixins. */
    record Role(String name, List<Path> sources, List<Option> options, Set<String> envRead) {
        Optional<Option> option(String optionName) {
            return options.stream().filter(o -> o.named(optionName)).findFirst();
        }

        /** The value the role uses for an option: the environment's, else the option's default. */
        Optional<String> effective(String optionName, Map<String, String> env) {
            return option(optionName).flatMap(o -> {
                if (o.env() != null && env.containsKey(o.env())) {
                    return Optional.ofNullable(env.get(o.env()));
                }
                return Optional.ofNullable(o.defaultValue());
            });
        }

        /** The environment variable of an option; fails when the option has none. */
        String envOf(String optionName) {
            return option(optionName).map(Option::env).orElseThrow(() -> new AssertionError(
                    "Role " + name + " has no option " + optionName + " read from the environment (" + sources + ")"));
        }
    }

    private static AuctionCode instance;

    final Map<String, Role> roles;
    final Set<String> apiRoutes;
    final Set<String> opsPaths;
    final String wsPath;
    final Duration wsCloseTimeout;

    private AuctionCode() {
        Path cliDir = Repo.path(CLI);
        Map<String, Role> found = new LinkedHashMap<>();
        for (Path file : javaFiles(cliDir, false)) {
            String text = Repo.read(file);
            Matcher m = ROLE.matcher(text);
            if (!m.find()) {
                continue;
            }
            List<Path> sources = new ArrayList<>();
            sources.add(file);
            Matcher mixin = MIXIN.matcher(text);
            while (mixin.find()) {
                sources.add(findClass(cliDir, mixin.group(1)));
            }
            List<Option> options = new ArrayList<>();
            Set<String> envRead = new TreeSet<>();
            for (Path source : sources) {
                String src = Repo.read(source);
                options.addAll(options(src));
                Matcher env = ENV_OCCURRENCE.matcher(src);
                while (env.find()) {
                    envRead.add(env.group(1));
                }
            }
            found.put(m.group(1), new Role(m.group(1), List.copyOf(sources), List.copyOf(options), Set.copyOf(envRead)));
        }
        if (!found.keySet().containsAll(List.of("api", "worker", "ws"))) {
            throw new AssertionError("Expected the roles api, worker and ws in " + cliDir + ", found " + found.keySet());
        }
        roles = Map.copyOf(found);

        Set<String> routes = new LinkedHashSet<>();
        addAll(routes, API_ROUTE, Repo.read(AUCTION + "api/ApiServer.java"));
        addAll(routes, STATIC_ASSET, Repo.read(AUCTION + "api/internal/StaticAssets.java"));
        if (routes.size() < 3) {
            throw new AssertionError("Found too few API routes to be believable: " + routes);
        }
        apiRoutes = Set.copyOf(routes);

        Set<String> ops = new LinkedHashSet<>();
        addAll(ops, OPS_ROUTE, Repo.read("transport-http/src/main/java/dev/trench/transport/http/HttpServer.java"));
        addAll(ops, OPS_ROUTE, Repo.read(AUCTION + "ws/internal/OperationsRoutes.java"));
        if (!ops.containsAll(List.of("/health/live", "/health/ready", "/metrics"))) {
            throw new AssertionError("The operational routes were not found where expected: " + ops);
        }
        opsPaths = Set.copyOf(ops);

        String wsConfig = Repo.read(AUCTION + "ws/WebSocketNodeConfig.java");
        Matcher path = WS_PATH.matcher(wsConfig);
        Matcher close = WS_CLOSE.matcher(wsConfig);
        if (!path.find() || !close.find()) {
            throw new AssertionError("WebSocketNodeConfig no longer declares `private String path = \"...\"` and"
                    + " `private Duration closeTimeout = Duration.ofSeconds(n)`: update AuctionCode");
        }
        wsPath = path.group(1);
        long amount = Long.parseLong(close.group(2));
        wsCloseTimeout = close.group(1).equals("Seconds") ? Duration.ofSeconds(amount) : Duration.ofMillis(amount);
    }

    static synchronized AuctionCode get() {
        if (instance == null) {
            instance = new AuctionCode();
        }
        return instance;
    }

    Role role(String name) {
        Role role = roles.get(name);
        if (role == null) {
            throw new AssertionError("No role " + name + " in the CLI; roles: " + roles.keySet());
        }
        return role;
    }

    /** Environment variables whose option takes a secret ({@code paramLabel = "SECRET"}), over every role. */
    Set<String> secretVariables() {
        Set<String> secrets = new TreeSet<>();
        for (Role role : roles.values()) {
            for (Option o : role.options()) {
                if ("SECRET".equals(o.paramLabel()) && o.env() != null) {
                    secrets.add(o.env());
                }
            }
        }
        return secrets;
    }

    private static void addAll(Set<String> into, Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    /** Every {@code @Option(...)} annotation of a source, its parentheses balanced outside string literals. */
    static List<Option> options(String src) {
        List<Option> options = new ArrayList<>();
        int at = 0;
        while ((at = src.indexOf("@Option(", at)) >= 0) {
            int open = at + "@Option".length();
            int end = closingParenthesis(src, open);
            String body = src.substring(open + 1, end);
            at = end;
            Matcher names = NAMES.matcher(body);
            List<String> optionNames = new ArrayList<>();
            if (names.find()) {
                Matcher s = STRING.matcher(names.group(1));
                while (s.find()) {
                    optionNames.add(s.group(1));
                }
            }
            String env = null;
            String defaultValue = null;
            Matcher dv = DEFAULT_VALUE.matcher(body);
            if (dv.find()) {
                Matcher e = ENV_DEFAULT.matcher(dv.group(1));
                if (e.matches()) {
                    env = e.group(1);
                    defaultValue = e.group(2);
                } else {
                    defaultValue = dv.group(1);
                }
            }
            Matcher label = PARAM_LABEL.matcher(body);
            options.add(new Option(List.copyOf(optionNames), env, defaultValue, label.find() ? label.group(1) : null));
        }
        return options;
    }

    private static int closingParenthesis(String src, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < src.length(); i++) {
            char c = src.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("Unbalanced @Option( at " + open);
    }

    private static Path findClass(Path cliDir, String simpleName) {
        return javaFiles(cliDir, true).stream()
                .filter(p -> p.getFileName().toString().equals(simpleName + ".java"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("Mixin " + simpleName + " not found under " + cliDir));
    }

    private static List<Path> javaFiles(Path dir, boolean recursive) {
        try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }
}
