package dev.trench.transport.http.internal;

import dev.trench.transport.http.HttpHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps a method and a path to a handler. Patterns are absolute paths whose segments are literals or {@code {name}}
 * parameters, e.g. {@code /auctions/{auctionId}/bids}. Routes without parameters are matched first, then the others
 * in the order added. Immutable once built.
 */
public final class Router {
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern PARAM = Pattern.compile("\\{[A-Za-z][A-Za-z0-9_]*}");

    private final List<Route> routes;

    private Router(List<Route> routes) {
        List<Route> ordered = new ArrayList<>();
        for (Route r : routes) {
            if (!r.hasParameters()) {
                ordered.add(r);
            }
        }
        for (Route r : routes) {
            if (r.hasParameters()) {
                ordered.add(r);
            }
        }
        this.routes = List.copyOf(ordered);
    }

    /** A route: method, pattern and handler. */
    public record Route(String method, String pattern, String[] segments, HttpHandler handler) {
        boolean hasParameters() {
            for (String s : segments) {
                if (s.startsWith("{")) {
                    return true;
                }
            }
            return false;
        }

        @Nullable Map<String, String> match(String[] pathSegments) {
            if (pathSegments.length != segments.length) {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.startsWith("{")) {
                    if (pathSegments[i].isEmpty()) {
                        return null;
                    }
                    if (params == null) {
                        params = new HashMap<>(4);
                    }
                    params.put(s.substring(1, s.length() - 1), pathSegments[i]);
                } else if (!s.equals(pathSegments[i])) {
                    return null;
                }
            }
            return params == null ? Map.of() : params;
        }
    }

    /** What a lookup found: a route with its parameters, a path known under other methods, or nothing. */
    public sealed interface Match permits Found, MethodNotAllowed, NotFound {
    }

    /** The route and its path parameters. */
    public record Found(Route route, Map<String, String> parameters) implements Match {
    }

    /** The path exists, but not for this method. */
    public record MethodNotAllowed(Set<String> allowed) implements Match {
    }

    /** No route has this path. */
    public record NotFound() implements Match {
    }

    /** Finds the route for a request. */
    public Match match(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = null;
        for (Route r : routes) {
            Map<String, String> params = r.match(segments);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method) || (method.equals("HEAD") && r.method.equals("GET"))) {
                return new Found(r, params);
            }
            if (allowed == null) {
                allowed = new TreeSet<>();
            }
            allowed.add(r.method);
        }
        return allowed == null ? new NotFound() : new MethodNotAllowed(Collections.unmodifiableSet(allowed));
    }

    private static String[] split(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.equals("/") ? new String[0] : p.substring(1).split("/", -1);
    }

    /** Collects routes; {@link #build()} fails listing every invalid or duplicate route. */
    public static final class Builder {
        private final Map<String, Route> routes = new LinkedHashMap<>();
        private final ConfigCheck check = new ConfigCheck("HttpServer routes");

        /** Adds a route; problems are reported by {@link #build()}. */
        public Builder add(String method, String pattern, HttpHandler handler) {
            String m = method == null ? null : method.toUpperCase(Locale.ROOT);
            boolean ok = true;
            if (m == null || !METHOD.matcher(m).matches()) {
                check.require(false, "method", method, "must be an HTTP method such as GET or POST");
                ok = false;
            }
            if (pattern == null || !pattern.startsWith("/") || pattern.contains("?") || pattern.contains("//")) {
                check.require(false, "pattern", pattern, "must be an absolute path such as /auctions/{auctionId}");
                ok = false;
            }
            if (handler == null) {
                check.problem("handler: is required for route " + method + " " + pattern);
                ok = false;
            }
            if (!ok) {
                return this;
            }
            String[] segments = split(pattern);
            for (String s : segments) {
                if ((s.contains("{") || s.contains("}")) && !PARAM.matcher(s).matches()) {
                    check.require(false, "pattern", pattern, "must use whole-segment parameters such as {auctionId}");
                    return this;
                }
            }
            String key = m + " " + normalise(segments);
            if (routes.containsKey(key)) {
                String other = routes.get(key).pattern();
                check.problem("route " + m + " " + pattern + " is defined more than once"
                        + (other.equals(pattern) ? "" : " (as " + other + " and " + pattern + ")"));
                return this;
            }
            routes.put(key, new Route(m, pattern, segments, handler));
            return this;
        }

        private static String normalise(String[] segments) {
            StringBuilder sb = new StringBuilder();
            for (String s : segments) {
                sb.append('/').append(s.startsWith("{") ? "{}" : s);
            }
            return sb.toString();
        }

        /**
         * Builds the router.
         *
         * @throws IllegalArgumentException listing every problem
         */
        public Router build() {
            check.throwIfAny();
            return new Router(new ArrayList<>(routes.values()));
        }
    }
}
