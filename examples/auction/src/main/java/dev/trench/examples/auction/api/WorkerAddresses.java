package dev.trench.examples.auction.api;

import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.transport.http.HttpCommandSenderConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the {@code auction-worker} service is, as configured: either a fixed list of {@code host:port} endpoints, or
 * one DNS name whose every address is an endpoint, looked up again every few seconds (a Kubernetes headless service).
 *
 * <p>{@link #parse(List)} reads what an operator writes ({@code --workers}): each entry {@code host:port} or
 * {@code http://host:port}. A single entry whose host is a DNS name (not an IP literal, not {@code localhost}) means
 * "every address behind that name, re-resolved"; several entries, IP literals and {@code localhost} are a fixed list.
 *
 * @param endpoints the fixed endpoints ({@code host:port}); empty when {@code dnsName} is set
 * @param dnsName   the DNS name to resolve, or {@code null}
 * @param dnsPort   the port used with each address of {@code dnsName}
 */
public record WorkerAddresses(List<String> endpoints, @Nullable String dnsName, int dnsPort) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Validates the shape: a non-empty list, or a DNS name with a port. */
    public WorkerAddresses {
        endpoints = List.copyOf(endpoints);
        if (dnsName == null && endpoints.isEmpty()) {
            throw new IllegalArgumentException("workers: must name at least one worker endpoint (host:port)");
        }
        if (dnsName != null && (dnsPort < 1 || dnsPort > 65535)) {
            throw new IllegalArgumentException("workers: port must be within [1, 65535], was " + dnsPort);
        }
    }

    /** A fixed list of {@code host:port} endpoints. */
    public static WorkerAddresses fixed(List<String> endpoints) {
        return new WorkerAddresses(endpoints, null, 0);
    }

    /** Every address behind a DNS name, re-resolved. */
    public static WorkerAddresses dns(String name, int port) {
        return new WorkerAddresses(List.of(), Objects.requireNonNull(name, "name"), port);
    }

    /**
     * Reads the operator's notation (see the class documentation).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static WorkerAddresses parse(List<String> entries) {
        List<String> endpoints = new ArrayList<>();
        for (String raw : entries) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            endpoints.add(hostPort(raw.trim()));
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("workers: must name at least one worker endpoint (host:port), was "
                    + entries);
        }
        if (endpoints.size() == 1) {
            String only = endpoints.get(0);
            int colon = only.lastIndexOf(':');
            String host = only.substring(0, colon);
            if (isDnsName(host)) {
                return dns(host, Integer.parseInt(only.substring(colon + 1)));
            }
        }
        return fixed(endpoints);
    }

    private static String hostPort(String entry) {
        String value = entry;
        if (value.contains("://")) {
            URI uri;
            try {
                uri = URI.create(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("workers: '" + entry + "' is not host:port or http://host:port");
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("workers: '" + entry
                        + "' must be host:port or http://host:port (with a port)");
            }
            String host = uri.getHost();
            value = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + uri.getPort();
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("workers: '" + entry + "' must be host:port");
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("workers: '" + entry + "' has a port outside [1, 65535]");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("workers: '" + entry + "' must end with a numeric port");
        }
        return value;
    }

    private static boolean isDnsName(String host) {
        return !host.startsWith("[") && !host.equalsIgnoreCase("localhost") && !IPV4.matcher(host).matches();
    }

    /**
     * The sender configuration for the {@code auction-worker} service: these endpoints, and the auction id as routing
     * key of both commands, so one auction's commands go to one worker while the set of workers is unchanged.
     */
    public HttpCommandSenderConfig.Builder senderConfig() {
        HttpCommandSenderConfig.Builder b = HttpCommandSenderConfig.builder(RaiseBid.WORKER)
                .routingKey(RaiseBid.class, RaiseBid::auctionId)
                .routingKey(OpenAuction.class, OpenAuction::auctionId);
        return dnsName == null ? b.endpoints(endpoints) : b.dns(dnsName, dnsPort);
    }

    @Override
    public String toString() {
        return dnsName == null ? String.join(",", endpoints) : "dns:" + dnsName + ":" + dnsPort;
    }
}
